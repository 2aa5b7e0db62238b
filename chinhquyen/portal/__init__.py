"""Portal (Cổng dịch vụ công): the public site. So far the procedure catalogue: search with
filters, the pages of each field (lĩnh vực) and each procedure, with everything a citizen needs
before filing. It reads the domain apps; no domain app imports it."""
