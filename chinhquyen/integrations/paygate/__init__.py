"""Payment gateway adapter for the VNPAY 2.1.0 redirect protocol (the shape Vietnamese payment
gateways and the national payment platform use): signed payment URLs, signed browser returns and
IPN calls, and the `querydr` status query. `testserver` is a gateway double speaking the same
protocol over HTTP, for the tests and for `make run`."""
