"""The route table's JSON Schema (routes/kona.schema.json) against the
loader: the shipped tables are valid by both, and each broken table below is
refused by both (the schema read by the `jsonschema` package, an
independent validator; the table loaded by the library, through a Client).
A Server refuses the catalogue, naming its first envelope-or-plain route."""

import copy
import json

import jsonschema
import pytest

import konaplate_crypto as km

from conftest import ACCESS_KEY, ASP_ID, KEY_B, VECTORS

ROUTES_DIR = VECTORS.parent / "routes"
SCHEMA = json.loads((ROUTES_DIR / "kona.schema.json").read_text(encoding="utf-8"))
KONA = json.loads((ROUTES_DIR / "kona.json").read_text(encoding="utf-8"))


def schema_accepts(table):
    try:
        jsonschema.validate(table, SCHEMA, cls=jsonschema.Draft202012Validator)
        return True
    except jsonschema.ValidationError:
        return False


def loader_accepts(table, signer, keyring):
    try:
        km.Client(ASP_ID, signer, keyring, json.dumps(table), access_key=ACCESS_KEY, crypto_key_id=KEY_B)
        return True
    except km.InvalidRoutes:
        return False


def test_the_schema_is_a_valid_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("name", ["kona.json", "seed.json"])
def test_the_shipped_tables_are_valid_by_both(name, signer, keyring):
    table = json.loads((ROUTES_DIR / name).read_text(encoding="utf-8"))
    assert schema_accepts(table)
    assert loader_accepts(table, signer, keyring)


def broken(change):
    table = copy.deepcopy(KONA)
    change(table["routes"][0])
    return table


BROKEN = {
    "lower-case method": broken(lambda r: r.update(method="post")),
    "path without '/'": broken(lambda r: r.update(path="api/v1/x")),
    "empty segment": broken(lambda r: r.update(path="/api//x")),
    "trailing '/'": broken(lambda r: r.update(path="/api/x/")),
    "brace mixed with text": broken(lambda r: r.update(path="/api/x{id}")),
    "query in the template": broken(lambda r: r.update(path="/api/x?y")),
    "unknown request protection": broken(lambda r: r.update(request="envelope-or-plain")),
    "unknown response protection": broken(lambda r: r.update(response="sealed")),
    "fields without strict": broken(lambda r: r.update(response={"fields": ["par"]})),
    "unknown member": broken(lambda r: r.update(comment="x")),
    "no response": broken(lambda r: r.pop("response")),
    "query not a boolean": broken(lambda r: r.update(query="yes")),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_table_is_refused_by_both(name, signer, keyring):
    assert not schema_accepts(BROKEN[name]), name
    assert not loader_accepts(BROKEN[name], signer, keyring), name


def test_a_server_refuses_the_catalogue_naming_the_route(signer, keyring):
    with pytest.raises(km.InvalidRoutes) as refused:
        km.Server(signer, keyring, json.dumps(KONA))
    assert "route 1 (POST /api/v1/user/registration)" in str(refused.value)
    assert refused.value.code == "invalid_routes"
