"""Importing ledger exports (PRODUCT.md §3): readers, mapping profiles, validation and
quarantine, the transactional import, reclassification and the data-quality figures.

Public entry points (used by ``cli/import_cmd.py`` and ``pages/import_data.py``):

* :func:`import_file` → :class:`ImportReport` (``exit_code``: 0 ok, 3 quarantined, 2 failed)
* :func:`profile_names`, :func:`load_profile`, :func:`save_profile`
* :func:`quarantine_rows`, :func:`quarantine_csv`, :func:`reimport_quarantine`
* :func:`reclassify`, :func:`fix_private_suppliers`
* :func:`data_quality`, :func:`load_data_quality`, :func:`recent_imports`,
  :func:`load_batch_reports`
"""

from data_access.importing.parsers import (
    amount_expr,
    date_expr,
    detect_decimal,
    parse_amount_ore,
    parse_date,
)
from data_access.importing.pipeline import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_QUARANTINED,
    ImportFailed,
    ImportReport,
    import_file,
)
from data_access.importing.profiles import (
    FIELDS,
    Profile,
    load_profile,
    parse_profile,
    profile_names,
    save_profile,
)
from data_access.importing.quality import (
    DataQuality,
    data_quality,
    load_batch_reports,
    load_data_quality,
    recent_imports,
)
from data_access.importing.quarantine import (
    changed_ids,
    quarantine_csv,
    quarantine_rows,
    reimport_quarantine,
)
from data_access.importing.reclassify import fix_private_suppliers, reclassify
from data_access.importing.validate import REASON_LABELS

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_QUARANTINED",
    "FIELDS",
    "REASON_LABELS",
    "DataQuality",
    "ImportFailed",
    "ImportReport",
    "Profile",
    "amount_expr",
    "changed_ids",
    "data_quality",
    "date_expr",
    "detect_decimal",
    "fix_private_suppliers",
    "import_file",
    "load_batch_reports",
    "load_data_quality",
    "load_profile",
    "parse_amount_ore",
    "parse_date",
    "parse_profile",
    "profile_names",
    "quarantine_csv",
    "quarantine_rows",
    "recent_imports",
    "reclassify",
    "reimport_quarantine",
    "save_profile",
]
