"""What pyproject.toml cannot say: two folders at the repository root ship inside the package.

`widgets/` (the built-in themes) becomes `feedhub.widgets` and `examples/` (the example config
and feed that `feedhub init` writes) becomes `feedhub.examples`, in the wheel and in an
editable install alike; the daemon reads them with importlib.resources.
"""

from setuptools import find_namespace_packages, setup

ROOT_FOLDERS = {"feedhub.widgets": "widgets", "feedhub.examples": "examples"}


def packages(name: str, folder: str) -> list[str]:
    """Package `name` from `folder` and every folder under it (data folders included)."""
    found = find_namespace_packages(where=folder, exclude=["__pycache__", "*.__pycache__"])
    return [name, *(f"{name}.{sub}" for sub in found)]


setup(
    packages=[*packages("feedhub", "feedhub"),
              *(pkg for name, folder in ROOT_FOLDERS.items() for pkg in packages(name, folder))],
    package_dir=ROOT_FOLDERS,
)
