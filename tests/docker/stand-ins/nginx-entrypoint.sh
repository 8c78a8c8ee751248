#!/bin/sh
# As the official image's 20-envsubst-on-templates.sh: each template becomes
# conf.d/<name without .template>, with only the variables that are set
# replaced ($names nginx itself uses stay as they are).
set -eu
names=$(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/${\1}/p' | tr '\n' ' ')
for template in /etc/nginx/templates/*.template; do
    [ -e "$template" ] || continue
    name=$(basename "$template" .template)
    envsubst "$names" < "$template" > "/etc/nginx/conf.d/$name"
done
exec "$@"
