"""OpenID Connect relying party: sign-in through an outside identity provider (the national
electronic identification account, Decree 69/2024/NĐ-CP; or any OpenID Connect provider).
`client.py` holds the protocol; the account it signs in as is the org app's business."""
