"""Operations, run by ``make test-operations``: Debian's Prometheus scraping the
apps live, and ``deploy/kubernetes/`` built with kubectl and validated against
the Kubernetes API's schemas, offline. Apart from ``make test``: they need
programs a fresh clone does not have (the target installs them)."""
