"""Postal operator adapter (bưu chính công ích, Decision 45/2016/QĐ-TTg): a shipment order for a
dossier's result, answered with the operator's waybill number (mã vận đơn), and the operator's
signed status callbacks (picked up, delivered, returned to sender). Wire format in `protocol`;
`testserver` is an operator double speaking the same protocol over HTTP, for the tests and for
`make run`."""
