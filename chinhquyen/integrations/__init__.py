"""Adapters to services outside the platform (remote signing, ...). Each adapter speaks one
documented protocol and turns the service's refusals into `DomainError`s with Vietnamese text."""
