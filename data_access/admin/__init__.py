"""Every write path a person triggers in the app (the importer aside): the agreement register and
the savings target, the category tree and rules, thresholds, population and users. Each checks
the caller's role, works in the caller's transaction, writes the audit log and bumps the data
version so cached pages pick the change up."""
