"""Payments: online payment of fees (phí, lệ phí) through a gateway adapter
(`chinhquyen.integrations.paygate`). Owns the payment, the append-only log of what the gateway
said, the one-paid-per-reference rule and reconciliation. It knows nothing of dossiers or drafts:
a payment carries a `reference` ("draft:<uuid>", "obligation:<pk>:<seq>") and the owning app
registers a handler that runs in the same transaction when the payment becomes paid
(docs/adr/0010)."""
