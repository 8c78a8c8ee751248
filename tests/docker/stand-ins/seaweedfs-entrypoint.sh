#!/bin/sh
# As the image's docker/entrypoint.sh does for `server` (the only command
# compose gives it): its defaults (data in /data) before the arguments, and
# `exec`, so that weed is PID 1 and receives docker stop's SIGTERM itself.
if [ "$1" = server ]; then
    shift
    exec /usr/bin/weed -logtostderr=true server -dir=/data -volume.max=0 \
        -master.volumePreallocate -master.volumeSizeLimitMB=1024 "$@"
fi
exec /usr/bin/weed "$@"
