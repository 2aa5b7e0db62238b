"""Remote signing (ký số từ xa): the service holds the key; the platform sends a hash, the signer
approves on their phone, and the platform polls for the signature. See `client.py` for the protocol
and docs/adr/0004-pades-signing.md."""
