"""Application servers on real layouts: Dockerfiles as the image they build, the start scripts
and supervisord programs a deployment's commands run, and uWSGI read with golive's own reader.

Modules: :mod:`.dockerfiles` (final stage, ``COPY`` map), :mod:`.scripts` (a shell script's
simple commands and the state they run with, script paths resolved in the repository),
:mod:`.launch` (commands → the commands of the scripts they run; supervisord programs),
:mod:`.commands` (the environment, working directory and config paths of a command),
:mod:`.uwsgi` (uWSGI's configuration reader), :mod:`.uwsgi_collector` (the uWSGI collector),
:mod:`.redaction` (secrets kept out of the facts these build).

:mod:`.gunicorn` (the gunicorn collector), :mod:`.gunicorn_loader` (the script run under the
project's interpreter to load gunicorn's own configuration), :mod:`.cmdline` (servers started
by the project's commands, and their options), :mod:`.unaudited` (configurations found but not
audited yet: Apache, Traefik, Caddy...).
"""
