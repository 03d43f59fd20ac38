"""Community pages, one module per resource. Thin: parse input with a form, reach objects only
through `access`, read with `selectors`, write with `services`, present with `presenters`, render.
NotFound and NotAllowed become pages in core's DomainErrorMiddleware; invalid input goes back into
the form (`errors_into`)."""
