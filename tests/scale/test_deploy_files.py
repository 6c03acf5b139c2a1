"""The deployment files, checked statically (no Docker engine, no Kubernetes here).

docker-compose.yml: YAML round trip, the Compose Specification's JSON schema
(compose-spec.json beside this file, vendored from compose-spec/compose-spec, Apache-2.0), the
Compose keys a service may have, every dependency and volume defined, the `scale` profile's
services and their wiring. deploy/k8s: each
document a Kubernetes object, the CloudNativePG Cluster on a PostGIS image, the API's probes
and its URLs on the `-rw` pooler, the primary and the `-ro` replicas.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICE_KEYS = {
    "image", "build", "command", "entrypoint", "environment", "ports", "volumes",
    "depends_on", "healthcheck", "profiles", "user", "restart",
}  # fmt: skip
SCALE = {"db-primary", "db-replica", "pgbouncer", "redis", "api1", "api2", "nginx"}


def load_all(path: Path) -> list[Any]:
    """Every YAML document of a file, after checking it survives a dump and reload."""
    documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    assert list(yaml.safe_load_all(yaml.safe_dump_all(documents))) == documents
    return documents


SCHEMA = json.loads((Path(__file__).with_name("compose-spec.json")).read_text(encoding="utf-8"))


def test_compose_matches_the_compose_specification() -> None:
    [compose] = load_all(ROOT / "docker-compose.yml")
    jsonschema.Draft7Validator(SCHEMA).validate(compose)
    compose["services"]["api1"]["helthcheck"] = {}  # a misspelt key is refused
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA).validate(compose)


def test_compose_is_valid_and_has_the_scale_profile() -> None:
    [compose] = load_all(ROOT / "docker-compose.yml")
    services: dict[str, Any] = compose["services"]
    for name, service in services.items():
        assert set(service) <= SERVICE_KEYS, (name, set(service) - SERVICE_KEYS)
        assert "image" in service or "build" in service, name
        for dependency in service.get("depends_on", {}):
            assert dependency in services, (name, dependency)
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source.startswith("./") or source in compose["volumes"], (name, volume)
            if source.startswith("./"):
                assert (ROOT / source).exists(), source
    scaled = {n for n, s in services.items() if "scale" in s.get("profiles", [])}
    assert scaled == SCALE
    assert {"db", "api"} <= set(services) - scaled  # `docker compose up` as before
    env = services["api2"]["environment"]
    assert "@pgbouncer:" in env["GEOPORTAL_DATABASE_URL"]
    assert "@db-primary:" in env["GEOPORTAL_DIRECT_DATABASE_URL"]
    assert "@db-replica:" in env["GEOPORTAL_READ_DATABASE_URL"]
    assert env["GEOPORTAL_RATE_LIMIT_STORAGE"].startswith("redis://redis:")


def k8s_objects() -> dict[tuple[str, str], dict[str, Any]]:
    """The Kubernetes objects of deploy/k8s by (kind, name)."""
    objects = {}
    for path in sorted((ROOT / "deploy" / "k8s").glob("*.yaml")):
        for doc in load_all(path):
            assert {"apiVersion", "kind", "metadata", "spec"} <= set(doc), path
            objects[(doc["kind"], doc["metadata"]["name"])] = doc
    return objects


def test_kubernetes_manifests() -> None:
    objects = k8s_objects()
    cluster = objects[("Cluster", "geoportal-db")]
    assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
    assert "postgis" in cluster["spec"]["imageName"] and cluster["spec"]["instances"] >= 2
    pooler = objects[("Pooler", "geoportal-db-pooler-rw")]
    assert pooler["spec"]["pgbouncer"]["poolMode"] == "transaction"
    assert pooler["spec"]["cluster"]["name"] == "geoportal-db"
    api = objects[("Deployment", "geoportal-api")]["spec"]["template"]["spec"]
    [container] = api["containers"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["port"] == "http"
    env = {e["name"]: e.get("value", "") for e in container["env"]}
    assert "@geoportal-db-pooler-rw:" in env["GEOPORTAL_DATABASE_URL"]
    assert "@geoportal-db-rw:" in env["GEOPORTAL_DIRECT_DATABASE_URL"]
    assert "@geoportal-db-ro:" in env["GEOPORTAL_READ_DATABASE_URL"]
    services = {name for kind, name in objects if kind == "Service"}
    assert {"geoportal-api", "geoportal-redis"} <= services
    assert "geoportal-redis:" in env["GEOPORTAL_RATE_LIMIT_STORAGE"]
