"""The `dispensary` command: parses arguments, signs in, calls one service, prints text or JSON.

Every rule lives in the services; this package only turns a command line into a service call
and a result into lines a pharmacist can read (or JSON a script can). Exit codes: 0 done,
1 unexpected failure, 2 usage mistake, 3 refused by a rule (nothing written), 4 not signed in
or not permitted.

program: the table of commands, the parser and main(); core: what the command modules share;
run: one command's database, sign-in and output; one module per group of commands (setup,
stock, counter, check, records, labels, reports), each parser beside its handler. A command's
module loads only when that command is parsed, and the services only when it runs, so that
`dispensary --help` stays quick.
"""

from dispensary.cli import core as _core
from dispensary.cli.program import build_parser, main

__all__ = ["build_parser", "main"]

# The argument types under the names the parser fuzzing (tests/reliability) knows them by.
_audit_limit, _date, _days = _core.audit_limit, _core.calendar_date, _core.days
_number, _record_id, _whole = _core.number, _core.record_id, _core.whole
_path, _database = _core.path_option, _core.database_option
