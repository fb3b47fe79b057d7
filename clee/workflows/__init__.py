"""Use cases that coordinate several domain apps (Zulip's ``zerver/actions``): a write here
changes rows of more than one app and marks the results it can change stale, in one
transaction. The apps below know nothing of this package (the layers contract in
pyproject.toml); pages, the API, jobs and the demo above call it like any service."""
