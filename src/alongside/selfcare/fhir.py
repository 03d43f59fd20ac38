"""A member's questionnaire results as a FHIR R4 Bundle (issue 11.5), for a clinician they choose.

The member downloads it themselves (the export page, or `GET /journal/export/fhir`): it is their own
data, so consent is the download. Nothing here is sent anywhere, and staff have no way to make it
for someone else.

One Bundle of type `collection`:

- a `Patient` with no name, no birth date and no identifier: the clinician attaches the bundle to
  their own record of the person, who stays anonymous here;
- for each result, a `QuestionnaireResponse` (every question with its wording and the answer given)
  and an `Observation` of the total score (`category` survey, `derivedFrom` the response, the band
  as `interpretation` where the measure has published bands).

PHQ-9 and GAD-7 carry their LOINC codes (panel, items, total score and the LOINC answer list
LL358-3). WHO-5 and the General Self-Efficacy Scale are named in text only: we could not confirm
LOINC codes for them here, and a wrong code in a clinical record is worse than none.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from alongside.core.errors import NotFound
from alongside.selfcare.access import check_own_journal
from alongside.selfcare.measures import MEASURES, Measure
from alongside.selfcare.models import MeasureResult

LOINC = "http://loinc.org"
SURVEY = {
    "coding": [
        {"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "survey", "display": "Survey"}
    ]
}
FREQUENCY_ANSWERS = {0: "LA6568-5", 1: "LA6569-3", 2: "LA6570-1", 3: "LA6571-9"}  # LOINC answer list LL358-3


@dataclass(frozen=True)
class Coded:
    panel: tuple[str, str]
    total: tuple[str, str]
    items: tuple[str, ...]


CODED = {
    "phq9": Coded(
        panel=("44249-1", "PHQ-9 quick depression assessment panel [Reported.PHQ]"),
        total=("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),
        items=("44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"),
    ),
    "gad7": Coded(
        panel=("69737-5", "Generalized anxiety disorder 7 item (GAD-7)"),
        total=("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"),
        items=("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"),
    ),
}
PUBLISHED_BANDS = {"phq9", "gad7", "who5"}  # the self-efficacy bands are ours, not the scale's


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _answer(measure: Measure, value: int) -> dict[str, Any]:
    label = str(dict(measure.answers)[value])
    if measure.key in CODED:
        return {"valueCoding": {"system": LOINC, "code": FREQUENCY_ANSWERS[value], "display": label}}
    return {"valueCoding": {"code": str(value), "display": label}}


def _response(result: MeasureResult, measure: Measure, patient: str) -> dict[str, Any]:
    coded = CODED.get(measure.key)
    items = []
    for index, (question, value) in enumerate(zip(measure.questions, json.loads(result.answers), strict=False)):
        item: dict[str, Any] = {"linkId": coded.items[index] if coded else str(index + 1), "text": str(question)}
        if value is not None:
            item["answer"] = [_answer(measure, int(value))]
        items.append(item)
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "subject": {"reference": patient},
        "authored": _when(result.created_at),
        "item": items,
    }
    if coded:
        response["questionnaire"] = f"{LOINC}/q/{coded.panel[0]}"
    return response


def _observation(result: MeasureResult, measure: Measure, patient: str, derived_from: str) -> dict[str, Any]:
    coded = CODED.get(measure.key)
    name = f"{measure.name} score" + (" (0-100)" if measure.multiplier != 1 else "")
    code: dict[str, Any] = {"text": name}
    if coded:
        code["coding"] = [{"system": LOINC, "code": coded.total[0], "display": coded.total[1]}]
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [SURVEY],
        "code": code,
        "subject": {"reference": patient},
        "effectiveDateTime": _when(result.created_at),
        "valueInteger": result.score,
        "derivedFrom": [{"reference": derived_from}],
    }
    band = measure.band(result.score)
    if band and measure.key in PUBLISHED_BANDS:
        observation["interpretation"] = [{"text": str(band.name)}]
    return observation


def _entry(resource: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    resource_id = str(uuid.uuid4())
    return f"urn:uuid:{resource_id}", {
        "fullUrl": f"urn:uuid:{resource_id}",
        "resource": {"resourceType": resource["resourceType"], "id": resource_id, **resource},
    }


def questionnaire_bundle(*, user: Any) -> dict[str, Any]:
    """Every questionnaire result of the member's, oldest first, as one FHIR R4 Bundle."""
    if not check_own_journal(user):
        raise NotFound()
    patient, patient_entry = _entry({"resourceType": "Patient", "active": True})
    entries = [patient_entry]
    for result in MeasureResult.objects.filter(owner=user).order_by("created_at", "pk"):
        measure = MEASURES.get(result.measure)
        if measure is None:
            continue
        response, response_entry = _entry(_response(result, measure, patient))
        entries += [response_entry, _entry(_observation(result, measure, patient, response))[1]]
    return {
        "resourceType": "Bundle",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{uuid.uuid4()}"},
        "type": "collection",
        "timestamp": _when(timezone.now()),
        "entry": entries,
    }
