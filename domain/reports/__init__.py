"""Quarterly support statistics and KPI analysis (FC-REV): the figures a TAM, ESM or AGSM reviews with the customer.

`quarters` names the period, `kpis` computes every figure from plain rows (pure, hand-checked by tests),
`service` loads those rows with a few set-based queries, `csv`, `chart` and `ics` turn them into files.
"""
