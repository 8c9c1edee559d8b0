"""``dsr-portal package build`` and ``package verify``."""

from __future__ import annotations

import zipfile

from sqlalchemy import select

from rights.models import AuditEvent, Package, PackageStatus, Role


def test_build_then_verify(app, db_session, make_request, make_user, tmp_path):
    officer = make_user(Role.OFFICER)
    req = make_request()
    out = tmp_path / "package.zip"
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "package",
            "build",
            req.reference,
            "--by",
            officer.email,
            "--format",
            "csv",
            "--format",
            "html",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    pkg = db_session.scalars(select(Package).where(Package.request_id == req.id)).one()
    assert pkg.status is PackageStatus.BUILT and pkg.formats == ["csv", "html"]
    assert pkg.prepared_by_id == officer.id
    assert pkg.sha256 in result.output
    names = zipfile.ZipFile(out).namelist()
    assert "summary.html" in names and not any(n.endswith(".xlsx") for n in names)
    assert db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "package.exported")
    ).one()

    result = runner.invoke(args=["package", "verify", str(out)])
    assert result.exit_code == 0, result.output
    assert "every checksum matches" in result.output

    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(damaged, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "summary.html":
                data = data.replace(b"<html", b"<HTML", 1)
            dst.writestr(info, data)
    result = runner.invoke(args=["package", "verify", str(damaged)])
    assert result.exit_code == 1
    assert "checksum mismatch: summary.html" in result.output


def test_build_refuses_unknown_request_or_officer(app, make_request, make_user, make_org):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["package", "build", "AVG-NOPE-NOPE", "--by", "x@example.org"])
    assert result.exit_code != 0 and "no request" in result.output
    req = make_request()
    controller_like = make_user(Role.CONTROLLER, organisation=make_org())
    result = runner.invoke(args=["package", "build", req.reference, "--by", controller_like.email])
    assert result.exit_code != 0 and "no officer" in result.output


def test_verify_rejects_a_file_that_is_not_a_package(app, tmp_path):
    bogus = tmp_path / "x.zip"
    bogus.write_bytes(b"not a zip")
    result = app.test_cli_runner().invoke(args=["package", "verify", str(bogus)])
    assert result.exit_code == 1


def test_purge_command(app):
    result = app.test_cli_runner().invoke(args=["package", "purge"])
    assert result.exit_code == 0 and "purged 0" in result.output
