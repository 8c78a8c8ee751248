-- One database per app: the apps share code, never state.
CREATE DATABASE helpdesk;
CREATE DATABASE shop_api;
CREATE DATABASE recipes;
