"""Points (FC-PTS-1..6, FC-TRM-1..2, FC-DEC-1..4): the per-contract-year ledger, the service menu, requests.

`rules` is pure; `menu` reads the service menu; `ledger` holds balances, locks, expiry, corrections
and cash-out; `purchases` brings the contract file's bought points in; `service` runs requests
through their life; `history` reads the ledger back; `notices` writes what people hear.
"""
