"""Data Docs that open with the network off.

Great Expectations writes Data Docs pages that load jQuery, Bootstrap, Bootstrap Table, Font
Awesome, a date picker and Vega from public CDNs, and its logo from a web bucket: offline, the
index is two bare links. The same files, at the same versions, come from the npm registry
once, at install time (`python -m lead_funnel.quality.offline_docs fetch`, run by `make
setup`), into a folder of the environment (`assets_dir()`); after every check, `localize`
copies the ones the pages use into `<docs>/static/vendor/` and points every page at them, so
the site is complete without a network. Links to web pages (`<a href>`) are left as they are:
a browser does not fetch them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ASSETS_VARIABLE = "LEAD_FUNNEL_WEB_ASSETS"


@dataclass(frozen=True)
class Asset:
    """One file a Data Docs page fetches: the URL it is fetched from and its npm source."""

    url: str  # a regular expression matching the URL in the pages
    package: str  # npm package@version
    member: str  # path inside the package (a folder copies whole)

    @property
    def local(self) -> str:
        """Path under the assets folder and under static/vendor/."""
        name = self.package.rsplit("@", 1)[0].lstrip("@").replace("/", "-")
        return f"{name}/{self.member}"


ASSETS = (
    Asset(
        r"https://code\.jquery\.com/jquery-3\.7\.1\.min\.js", "jquery@3.7.1", "dist/jquery.min.js"
    ),
    Asset(
        r"https://cdnjs\.cloudflare\.com/ajax/libs/popper\.js/1\.12\.9/umd/popper\.min\.js",
        "popper.js@1.12.9",
        "dist/umd/popper.min.js",
    ),
    Asset(
        r"https://stackpath\.bootstrapcdn\.com/bootstrap/4\.3\.1/js/bootstrap\.min\.js",
        "bootstrap@4.3.1",
        "dist/js/bootstrap.min.js",
    ),
    Asset(
        r"https://maxcdn\.bootstrapcdn\.com/bootstrap/4\.3\.1/css/bootstrap\.min\.css",
        "bootstrap@4.3.1",
        "dist/css/bootstrap.min.css",
    ),
    Asset(
        r"https://unpkg\.com/bootstrap-table@1\.19\.1/dist/bootstrap-table\.min\.js",
        "bootstrap-table@1.19.1",
        "dist/bootstrap-table.min.js",
    ),
    Asset(
        r"https://unpkg\.com/bootstrap-table@1\.19\.1/dist/bootstrap-table\.min\.css",
        "bootstrap-table@1.19.1",
        "dist/bootstrap-table.min.css",
    ),
    Asset(
        r"https://unpkg\.com/bootstrap-table@1\.19\.1/dist/extensions/filter-control/"
        r"bootstrap-table-filter-control\.min\.js",
        "bootstrap-table@1.19.1",
        "dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    ),
    Asset(
        r"https://unpkg\.com/bootstrap-table@1\.19\.0/dist/extensions/filter-control/"
        r"bootstrap-table-filter-control(\.min)?\.css",
        "bootstrap-table@1.19.1",
        "dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    ),
    Asset(
        r"https://cdnjs\.cloudflare\.com/ajax/libs/font-awesome/6\.6\.0/css/all\.min\.css",
        "@fortawesome/fontawesome-free@6.6.0",
        "css/all.min.css",
    ),
    Asset(
        # no page names it: all.min.css loads it from ../webfonts/
        r"(?!)",
        "@fortawesome/fontawesome-free@6.6.0",
        "webfonts",
    ),
    Asset(
        r"https://cdnjs\.cloudflare\.com/ajax/libs/bootstrap-datepicker/1\.9\.0/js/"
        r"bootstrap-datepicker\.min\.js",
        "bootstrap-datepicker@1.9.0",
        "dist/js/bootstrap-datepicker.min.js",
    ),
    Asset(
        r"https://cdnjs\.cloudflare\.com/ajax/libs/bootstrap-datepicker/1\.9\.0/css/"
        r"bootstrap-datepicker\.min\.css",
        "bootstrap-datepicker@1.9.0",
        "dist/css/bootstrap-datepicker.min.css",
    ),
    Asset(
        r"https://cdn\.jsdelivr\.net/npm/@forevolve/bootstrap-dark@1\.1\.0/dist/css/"
        r"bootstrap-prefers-dark\.css",
        "@forevolve/bootstrap-dark@1.1.0",
        "dist/css/bootstrap-prefers-dark.css",
    ),
    Asset(r"https://cdn\.jsdelivr\.net/npm/vega@5", "vega@5.33.1", "build/vega.min.js"),
    Asset(
        r"https://cdn\.jsdelivr\.net/npm/vega-lite@5", "vega-lite@5.23.0", "build/vega-lite.min.js"
    ),
    Asset(
        r"https://cdn\.jsdelivr\.net/npm/vega-embed@6",
        "vega-embed@6.29.0",
        "build/vega-embed.min.js",
    ),
)

#: Images the pages fetch from Great Expectations' web bucket, and the copy Data Docs ship.
IMAGES = (
    (
        r"https://great-expectations-web-assets\.s3[^\"')\s]*/(logo-long|full_logo_dark)\.png"
        r"[^\"')\s]*",
        "static/images/logo-long.png",
    ),
)


_LOCAL_TAG = re.compile(r"<(?:script|link)\b[^>]*static/vendor/[^>]*>")
_CROSS_ORIGIN_ATTRIBUTES = re.compile(r"\s+(?:integrity|crossorigin)=(?:\"[^\"]*\"|'[^']*'|\S+)")


def assets_dir() -> Path:
    """Where the fetched files live: LEAD_FUNNEL_WEB_ASSETS, else in the environment."""
    configured = os.environ.get(ASSETS_VARIABLE)
    if configured:
        return Path(configured)
    return Path(sys.prefix) / "share" / "lead_funnel" / "web_assets"


def missing_assets(folder: Path | None = None) -> list[str]:
    folder = folder or assets_dir()
    return [a.local for a in ASSETS if not (folder / a.local).exists()]


def fetch(folder: Path | None = None) -> Path:
    """Download the packages with `npm pack` and keep the files the pages need."""
    folder = folder or assets_dir()
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "npm is needed once to fetch the Data Docs' scripts and styles for offline use: "
            "install Node.js (apt-get install nodejs npm) and run make setup again"
        )
    packages = sorted({a.package for a in ASSETS})
    with tempfile.TemporaryDirectory(prefix="lead_funnel_assets_") as tmp:
        done = subprocess.run(
            [npm, "pack", "--silent", "--pack-destination", tmp, *packages],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"npm pack failed: {done.stderr.strip() or done.stdout.strip()}")
        archives = {p.name: p for p in Path(tmp).glob("*.tgz")}
        for package in packages:
            name, version = package.rsplit("@", 1)
            archive = archives.get(f"{name.lstrip('@').replace('/', '-')}-{version}.tgz")
            if archive is None:
                raise RuntimeError(f"npm pack wrote no archive for {package} ({sorted(archives)})")
            with tarfile.open(archive) as tar:
                for asset in (a for a in ASSETS if a.package == package):
                    prefix = f"package/{asset.member}"
                    members = [
                        m
                        for m in tar.getmembers()
                        if m.isfile() and (m.name == prefix or m.name.startswith(prefix + "/"))
                    ]
                    if not members:
                        raise RuntimeError(f"{package} has no {asset.member}")
                    for member in members:
                        target = folder / asset.local.rsplit(asset.member, 1)[0] / member.name[8:]
                        target.parent.mkdir(parents=True, exist_ok=True)
                        source = tar.extractfile(member)
                        assert source is not None
                        target.write_bytes(source.read())
    return folder


def localize(docs_dir: Path, folder: Path | None = None) -> list[str]:
    """Point every page of `docs_dir` at local copies; returns the assets that were missing
    (their URLs are left as they were)."""
    folder = folder or assets_dir()
    missing = set(missing_assets(folder))
    vendor = docs_dir / "static" / "vendor"
    for asset in ASSETS:
        if asset.local in missing:
            continue
        source, target = folder / asset.local, vendor / asset.local
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy(source, target)
    for page in docs_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        up = os.path.relpath(docs_dir, page.parent).replace(os.sep, "/")
        for asset in ASSETS:
            if asset.local not in missing:
                text = re.sub(asset.url, f"{up}/static/vendor/{asset.local}", text)
        for pattern, local in IMAGES:
            text = re.sub(pattern, f"{up}/{local}", text)
        # a local file is not fetched across origins: no integrity or CORS attributes
        text = _LOCAL_TAG.sub(lambda tag: _CROSS_ORIGIN_ATTRIBUTES.sub("", tag.group(0)), text)
        page.write_text(text, encoding="utf-8")
    return sorted(missing)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args != ["fetch"]:
        print("usage: python -m lead_funnel.quality.offline_docs fetch", file=sys.stderr)
        return 2
    if not missing_assets():
        return 0
    try:
        folder = fetch()
    except RuntimeError as error:
        print(f"Data Docs assets: {error}", file=sys.stderr)
        return 1
    print(f"Data Docs assets for offline use: {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
