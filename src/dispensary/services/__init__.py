"""Workflows: each public function is one transaction that checks the role, applies the rules,
writes ledger, signature and audit rows, and returns a frozen result."""
