"""An import-linter contract for Alongside's layers (docs/architecture.md, "Layers inside an app").

- `core` holds shared mechanisms only: it imports no app.
- An app imports another app only through that app's public modules (by default `services`,
  `selectors`, `access` and `enums`; an entry "app.module" makes one more module public for one
  app). Tests and migrations are not checked; the project's own wiring (settings, urls, api,
  asgi) may import anything.

Checked by `make lint` (`lint-imports`, configured in pyproject.toml).
"""

from __future__ import annotations

from typing import Any

from importlinter import Contract, ContractCheck, fields, output


class AppBoundariesContract(Contract):
    type_name = "app_boundaries"

    root = fields.StringField()
    shared = fields.StringField()
    apps = fields.ListField(subfield=fields.StringField())
    public_modules = fields.ListField(subfield=fields.StringField())

    def _app_of(self, module: str) -> tuple[str, str] | None:
        """(app, the module's first part inside it), or None for modules outside the apps."""
        parts = module.split(".")
        if len(parts) < 2 or parts[0] != self.root:
            return None
        app = parts[1]
        if app not in self.apps and app != self.shared:
            return None
        return app, (parts[2] if len(parts) > 2 else "")

    def _public(self, app: str, part: str) -> bool:
        public: list[str] = list(self.public_modules)  # type: ignore[call-overload]
        return part in public or f"{app}.{part}" in public

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        illegal = []
        for importer in sorted(graph.modules):
            origin = self._app_of(importer)
            if origin is None or origin[1] in ("tests", "migrations"):
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target = self._app_of(imported)
                if target is None or target[0] == origin[0]:
                    continue
                if target[0] == self.shared:
                    continue  # every app may use core
                if origin[0] == self.shared:
                    reason = "core imports no app"
                elif self._public(target[0], target[1]):
                    continue
                else:
                    reason = f"{target[0]}.{target[1]} is internal to {target[0]}"
                lines = [d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported)]
                illegal.append({"importer": importer, "imported": imported, "reason": reason, "lines": lines})
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal}, warnings=[])

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["illegal"]:
            lines = ", ".join(str(line) for line in item["lines"])
            output.print_error(f"{item['importer']} -> {item['imported']} (l. {lines}): {item['reason']}")
        output.new_line()
        output.print("Reach another app through its services, selectors, access or enums.")
