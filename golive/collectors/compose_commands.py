"""Docker Compose files as the project collector reads them: each service's ``command`` and
``entrypoint`` with the state they run in (the image built, ``working_dir``, ``user``,
``environment``), services in development or test profiles left out
(https://docs.docker.com/reference/compose-file/services/,
https://docs.docker.com/compose/how-tos/profiles/). Read with PyYAML's composer, so each
command keeps its line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from golive import shellwords, yamlread
from golive.collectors import layout_rules
from golive.collectors.layout import Layout
from golive.facts.project import ProcessCommand
from golive.model import Location


def split_command(command: str) -> tuple[str, ...]:
    """``command`` split as a POSIX shell would (:mod:`golive.shellwords`), or at white space
    when it does not lex (an unclosed quote)."""
    try:
        return tuple(shellwords.split(command))
    except ValueError:
        return tuple(command.split())


def compose_commands(
    path: Path, rel: str, layout: Layout | None = None, project_dir: Path | None = None
) -> Iterator[ProcessCommand]:
    """The ``command``/``entrypoint`` of each service of the compose file at ``path`` (shown as
    ``rel``); a service whose profiles are all development or test is recorded in ``layout``
    as left out. Raises what PyYAML raises for a file that is not YAML."""
    import yaml

    root = yamlread.compose(path.read_text(encoding="utf-8"))
    if not isinstance(root, yaml.MappingNode):
        return
    services = mapping_get(root, "services")
    if not isinstance(services, yaml.MappingNode):
        return
    for key_node, service in services.value:
        if not isinstance(service, yaml.MappingNode):
            continue
        profiles = mapping_get(service, "profiles")
        if isinstance(profiles, yaml.SequenceNode):
            role = layout_rules.profile_role([getattr(n, "value", "") for n in profiles.value])
            if role is not None:  # started only by `docker compose --profile dev`
                if layout is not None:
                    name = getattr(key_node, "value", "?")
                    layout.left_out(path, f"compose service {name}", role[0], role[1])
                continue
        state = compose_state(service, path, project_dir)
        for key in ("command", "entrypoint"):
            node = mapping_get(service, key)
            if node is None:
                continue
            if isinstance(node, yaml.SequenceNode):
                argv = tuple(str(n.value) for n in node.value if isinstance(n, yaml.ScalarNode))
            elif isinstance(node, yaml.ScalarNode):
                argv = split_command(str(node.value))
            else:
                continue
            yield ProcessCommand(
                origin=f"docker-compose {key}",
                location=Location(path=rel, line=node.start_mark.line + 1),
                command=" ".join(argv),
                argv=argv,
                **state,
            )


def compose_state(service: Any, path: Path, project_dir: Path | None) -> dict[str, Any]:
    """A compose service's ``build`` Dockerfile (relative to the project), ``working_dir``
    and ``environment`` (list or mapping form; secret-named variables left out), as
    :class:`ProcessCommand` fields (https://docs.docker.com/reference/compose-file/services/)."""
    import yaml

    from golive.collectors.appservers.launch import safe_env

    out: dict[str, Any] = {}
    build = mapping_get(service, "build")
    context, dockerfile = None, "Dockerfile"
    if isinstance(build, yaml.ScalarNode):
        context = str(build.value)
    elif isinstance(build, yaml.MappingNode):
        ctx_node, file_node = mapping_get(build, "context"), mapping_get(build, "dockerfile")
        context = str(ctx_node.value) if isinstance(ctx_node, yaml.ScalarNode) else "."
        dockerfile = str(file_node.value) if isinstance(file_node, yaml.ScalarNode) else dockerfile
        target = mapping_get(build, "target")
        if isinstance(target, yaml.ScalarNode):
            out["stage"] = str(target.value)
    if context is not None and project_dir is not None and "://" not in context:
        from golive.collectors.appservers.cmdline import expand

        # Compose interpolation: ${VAR:-default} takes its default when golive has no value.
        context, dockerfile = expand(context, {})[0], expand(dockerfile, {})[0]
        found = (path.parent / context / dockerfile).resolve()
        if found.is_relative_to(project_dir.resolve()):
            out["dockerfile"] = str(found.relative_to(project_dir.resolve()))
    workdir = mapping_get(service, "working_dir")
    if isinstance(workdir, yaml.ScalarNode):
        out["cwd"] = str(workdir.value)
    user = mapping_get(service, "user")
    if isinstance(user, yaml.ScalarNode):
        out["user"] = str(user.value)
        shown = str(path.relative_to(project_dir)) if project_dir is not None else path.name
        out["user_at"] = Location(path=shown, line=user.start_mark.line + 1)
    environment = mapping_get(service, "environment")
    pairs: list[tuple[str, str]] = []
    if isinstance(environment, yaml.MappingNode):
        pairs = [(str(k.value), str(v.value)) for k, v in environment.value if isinstance(v, yaml.ScalarNode)]
    elif isinstance(environment, yaml.SequenceNode):
        pairs = [
            (str(n.value).partition("=")[0], str(n.value).partition("=")[2])
            for n in environment.value
            if isinstance(n, yaml.ScalarNode) and "=" in str(n.value)
        ]
    if pairs:
        out["env"] = safe_env(pairs)
    return out


def mapping_get(node: Any, key: str) -> Any:
    """The value node of ``key`` in a YAML mapping node, or None."""
    for k, v in node.value:
        if getattr(k, "value", None) == key:
            return v
    return None
