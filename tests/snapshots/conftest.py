from tests.pilot.conftest import demo_db, desk  # noqa: F401  (shared fixtures)
