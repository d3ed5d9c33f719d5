"""Settings from a TOML file, and the `token` and `schema` commands of `lapor-gateway`."""

import os
from pathlib import Path

import jwt
import pytest
from starlette.authentication import AuthenticationError

from gateway.app import build_verifier
from gateway.auth import TokenVerifier
from gateway.cli import main
from gateway.domain import PrincipalTier, Role
from gateway.errors import ConfigurationError
from gateway.settings import GatewaySettings, load_settings
from gateway.tokens import AUDIENCE, DEMO_ISSUER, SECRET_FILE, demo_secret

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def no_lapor_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read `LAPOR_*` variables; the developer's shell must not leak into tests."""
    for name in os.environ:
        if name.startswith("LAPOR_"):
            monkeypatch.delenv(name)


def write_config(directory: Path, body: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "gateway.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_load_settings_resolves_registry_relative_to_the_config_file(tmp_path: Path) -> None:
    config = write_config(tmp_path / "etc", '[gateway]\nregistry = "sources/registry.toml"\n')
    settings = load_settings(config)
    assert settings.registry == tmp_path / "etc" / "sources" / "registry.toml"


def test_load_settings_keeps_an_absolute_registry_path(tmp_path: Path) -> None:
    absolute = tmp_path / "elsewhere" / "registry.toml"
    config = write_config(tmp_path / "etc", f'[gateway]\nregistry = "{absolute}"\n')
    assert load_settings(config).registry == absolute


def test_load_settings_reads_the_secret_file_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "jwt").write_text("  s3cret-value-of-some-length\n", encoding="utf-8")
    config = write_config(
        tmp_path,
        '[gateway]\nmode = "demo"\nregistry = "r.toml"\njwt_secret_file = "secrets/jwt"\n',
    )
    settings = load_settings(config)
    assert settings.demo
    assert settings.jwt_secret is not None
    assert settings.jwt_secret.get_secret_value() == "s3cret-value-of-some-length"
    assert "s3cret" not in repr(settings)


def test_load_settings_reads_the_other_gateway_values(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        '[gateway]\nregistry = "r.toml"\njwt_issuer = "https://sso.example"\n'
        "jwt_leeway_seconds = 5\ndefault_page_size = 10\nmax_page_size = 50\n",
    )
    settings = load_settings(config)
    assert (settings.mode, settings.demo) == ("production", False)
    assert settings.jwt_issuer == "https://sso.example"
    assert (settings.jwt_leeway_seconds, settings.default_page_size, settings.max_page_size) == (
        5,
        10,
        50,
    )


def test_an_hs256_secret_outside_demo_mode_is_refused(tmp_path: Path) -> None:
    (tmp_path / "jwt-secret").write_text("x" * 48, encoding="utf-8")
    config = write_config(
        tmp_path, '[gateway]\nregistry = "r.toml"\njwt_secret_file = "jwt-secret"\n'
    )
    with pytest.raises(ConfigurationError, match="only in demo mode") as raised:
        load_settings(config)
    assert str(config) in raised.value.message


def test_an_hs256_secret_in_production_mode_is_refused_by_the_model(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="only in demo mode"):
        GatewaySettings(mode="production", registry=tmp_path / "r.toml", jwt_secret="x" * 48)


def test_build_verifier_refuses_an_hs256_secret_outside_demo_mode(tmp_path: Path) -> None:
    # Bypass validation to reach the verifier's own guard (defence in depth).
    settings = GatewaySettings.model_construct(
        mode="production",
        registry=tmp_path / "r.toml",
        jwt_secret=GatewaySettings(
            mode="demo", registry=tmp_path / "r.toml", jwt_secret="x" * 48
        ).jwt_secret,
    )
    with pytest.raises(ConfigurationError, match="only in demo mode"):
        build_verifier(settings)


def test_without_a_secret_there_is_no_verifier(tmp_path: Path) -> None:
    assert build_verifier(GatewaySettings(mode="demo", registry=tmp_path / "r.toml")) is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[gateway]\n", "registry"),
        ('[gateway]\nregistry = "r.toml"\nmode = "staging"\n', "mode"),
        ('[gateway]\nregistry = "r.toml"\nunknown_option = 1\n', "unknown_option"),
        ('[gateway]\nregistry = "r.toml"\nmax_page_size = 0\n', "max_page_size"),
        ('[gateway]\nregistry = "r.toml"\nmax_page_size = 5000\n', "max_page_size"),
        ("[gateway\n", "cannot read config"),
    ],
)
def test_an_invalid_config_is_a_configuration_error(
    tmp_path: Path, body: str, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_settings(write_config(tmp_path, body))


def test_a_missing_config_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read config"):
        load_settings(tmp_path / "nowhere.toml")


def test_a_missing_secret_file_is_a_configuration_error(tmp_path: Path) -> None:
    config = write_config(
        tmp_path, '[gateway]\nmode = "demo"\nregistry = "r.toml"\njwt_secret_file = "nope"\n'
    )
    with pytest.raises(ConfigurationError, match="nope"):
        load_settings(config)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    main(list(argv))
    return capsys.readouterr().out


def verifier_for(data_dir: Path) -> TokenVerifier:
    settings = GatewaySettings(
        mode="demo", registry=data_dir / "registry.toml", jwt_secret=demo_secret(data_dir)
    )
    verifier = build_verifier(settings)
    assert isinstance(verifier, TokenVerifier)
    return verifier


@pytest.mark.parametrize(
    ("argv", "tier", "region", "role"),
    [
        (["--tier", "NATIONAL"], PrincipalTier.NATIONAL, None, None),
        (["--tier", "OMBUDSMAN", "--role", "ANALYST"], PrincipalTier.OMBUDSMAN, None, Role.ANALYST),
        (
            ["--tier", "PROVINCIAL", "--region", "12", "--role", "OPERATOR"],
            PrincipalTier.PROVINCIAL,
            "12",
            Role.OPERATOR,
        ),
        (
            ["--tier", "REGENCY", "--region", "12.71", "--role", "ADMIN"],
            PrincipalTier.REGENCY,
            "12.71",
            Role.ADMIN,
        ),
    ],
)
def test_token_prints_a_jwt_the_demo_verifier_accepts(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    tier: PrincipalTier,
    region: str | None,
    role: Role | None,
) -> None:
    output = run_cli(capsys, "token", "--data-dir", str(tmp_path), *argv)
    token = output.strip()
    assert output == token + "\n"
    assert token.count(".") == 2
    principal = verifier_for(tmp_path).verify(token)
    assert (principal.tier, principal.region, principal.role) == (tier, region, role)


def test_token_creates_the_data_dir_secret_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "fresh"
    first = run_cli(capsys, "token", "--data-dir", str(data_dir), "--tier", "NATIONAL").strip()
    secret = (data_dir / SECRET_FILE).read_text(encoding="utf-8")
    assert (data_dir / SECRET_FILE).stat().st_mode & 0o077 == 0
    second = run_cli(capsys, "token", "--data-dir", str(data_dir), "--tier", "NATIONAL").strip()
    assert (data_dir / SECRET_FILE).read_text(encoding="utf-8") == secret
    for token in (first, second):
        jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE, issuer=DEMO_ISSUER)


def test_a_token_of_another_data_dir_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = run_cli(capsys, "token", "--data-dir", str(tmp_path / "a"), "--tier", "NATIONAL")
    with pytest.raises(AuthenticationError):
        verifier_for(tmp_path / "b").verify(token.strip())


def test_token_carries_agency_and_ttl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token = run_cli(
        capsys,
        "token",
        "--data-dir",
        str(tmp_path),
        "--tier",
        "REGENCY",
        "--region",
        "12.71",
        "--agency",
        "12.71-DINKES",
        "--ttl",
        "60",
    ).strip()
    principal = verifier_for(tmp_path).verify(token)
    assert principal.agency == "12.71-DINKES"
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 60


@pytest.mark.parametrize(
    "argv",
    [
        ["--tier", "PUBLIC"],
        ["--tier", "national"],
        ["--tier", "NATIONAL", "--role", "GOD"],
        [],  # --tier is required
    ],
)
def test_token_refuses_bad_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["token", "--data-dir", str(tmp_path), *argv])
    assert raised.value.code == 2
    assert capsys.readouterr().out == ""
    assert not (tmp_path / SECRET_FILE).exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["--tier", "PROVINCIAL"],
        ["--tier", "REGENCY", "--region", "12"],
        ["--tier", "NATIONAL", "--region", "12"],
    ],
)
def test_token_refuses_a_region_that_does_not_fit_the_tier(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["token", "--data-dir", str(tmp_path), *argv])
    assert raised.value.code != 0
    assert capsys.readouterr().out == ""


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main([])
    assert raised.value.code == 2


def test_schema_prints_sdl_with_the_query_root(capsys: pytest.CaptureFixture[str]) -> None:
    sdl = run_cli(capsys, "schema")
    assert "type Query {" in sdl
    assert "viewer: Viewer!" in sdl
    assert sdl.endswith("\n")


def test_committed_schema_matches_printed_sdl(capsys: pytest.CaptureFixture[str]) -> None:
    committed = (REPO_ROOT / "schema.graphql").read_text(encoding="utf-8")
    printed = run_cli(capsys, "schema")
    assert printed == committed, (
        "schema.graphql is out of date with the strawberry types; "
        "run `lapor-gateway schema > schema.graphql` and commit the result"
    )
