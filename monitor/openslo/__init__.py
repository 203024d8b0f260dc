"""OpenSLO v1 in and out: slamon's SLAs as OpenSLO documents, OpenSLO SLOs as contract drafts.

- `export.export_contract(contract, raw)`: one contract -> `Service`, `DataSource`, and per
  SLA an `SLI`, `SLO`, `AlertCondition`s and `AlertPolicy`s whose queries read slamon's own
  exported counters;
- `import_.import_documents(docs)`: OpenSLO documents (references resolved across files) ->
  a commented `slamon/v1` contract draft and the problems met on the way;
- `rules.check_documents(docs)`: the OpenSLO v1 rules an exported document must keep;
- `codec`: how values OpenSLO cannot express ride in `slamon.dev/...` annotations.

Mapping and annotations: docs/openslo.md.
"""
