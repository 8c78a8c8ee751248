-- The app's own database: the apps share code, never state.
CREATE DATABASE shop_api;
