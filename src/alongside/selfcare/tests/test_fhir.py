"""The FHIR R4 export of a member's questionnaire results (issue 11.5): valid against HL7's R4 JSON
schema, coded where the codes are known, anonymous, and only ever the member's own."""

from __future__ import annotations

import gzip
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from jsonschema import Draft6Validator

from alongside.selfcare import services
from tests.fixtures import api_for, client_for
from tests.personas import make_person

pytestmark = pytest.mark.django_db
SCHEMA = Path(__file__).resolve().parents[4] / "tests" / "data" / "fhir" / "fhir.schema.json.gz"
SCHEMA_SHA256 = "15b9548af6412c44faaa411456e0652542de286fd1c58ef882b09bdc8947909d"  # tests/data/fhir/README.md


@cache
def _validator() -> Draft6Validator:
    raw = gzip.decompress(SCHEMA.read_bytes())
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256
    schema = json.loads(raw)
    assert schema["id"] == "http://hl7.org/fhir/json-schema/4.0"
    return Draft6Validator(schema)


def _problems(resource: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in _validator().iter_errors(resource)]


def _answer_all(person: Any) -> None:
    services.measure_submit(actor=person, key="phq9", answers=[1, 2, 1, 0, 3, 1, 0, 0, 0])
    services.measure_submit(actor=person, key="gad7", answers=[2, 2, 1, 1, 0, 1, 0])
    services.measure_submit(actor=person, key="who5", answers=[3, 3, 2, 2, 1])
    services.measure_submit(actor=person, key="gse", answers=[3, 2, 3, 3, 2, 4, 3, 3, 3, 2])


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == kind]


def test_the_bundle_is_valid_fhir_r4_and_says_what_was_answered():
    person, other = make_person("wren_f"), make_person("moss_f")
    _answer_all(person)
    services.measure_submit(actor=other, key="gad7", answers=[3, 3, 3, 3, 3, 3, 3])
    response = client_for(person).get(reverse("selfcare:export_fhir"))
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    bundle = json.loads(response.content)
    assert _problems(bundle) == []
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")

    (patient,) = _resources(bundle, "Patient")
    assert set(patient) == {"resourceType", "id", "active"}  # no name, no identifier: anonymous
    patient_url = f"urn:uuid:{patient['id']}"
    urls = {entry["fullUrl"] for entry in bundle["entry"]}
    assert len(urls) == len(bundle["entry"]) == 9

    responses = _resources(bundle, "QuestionnaireResponse")
    assert [len(r["item"]) for r in responses] == [9, 7, 5, 10]  # oldest first; the other member's GAD-7 is not here
    phq9 = responses[0]
    assert phq9["questionnaire"] == "http://loinc.org/q/44249-1"
    assert phq9["subject"] == {"reference": patient_url}
    assert phq9["status"] == "completed"
    assert phq9["item"][8]["linkId"] == "44260-8"  # question 9, by its LOINC code
    assert phq9["item"][8]["text"].startswith("Thoughts that you would be better off dead")
    assert phq9["item"][4]["answer"] == [
        {"valueCoding": {"system": "http://loinc.org", "code": "LA6571-9", "display": "Nearly every day"}}
    ]
    assert "questionnaire" not in responses[2]  # WHO-5: no code we could confirm, so none
    assert responses[2]["item"][0]["answer"] == [
        {"valueCoding": {"code": "3", "display": "More than half of the time"}}
    ]

    observations = _resources(bundle, "Observation")
    assert [o["valueInteger"] for o in observations] == [8, 7, 44, 28]
    assert observations[0]["code"]["coding"][0]["code"] == "44261-6"
    assert observations[1]["code"]["coding"][0]["code"] == "70274-6"
    assert observations[0]["category"][0]["coding"][0]["code"] == "survey"
    assert [o.get("interpretation", [{}])[0].get("text") for o in observations] == ["mild", "mild", "low", None]
    for observation, questionnaire_response in zip(observations, responses, strict=True):
        assert observation["derivedFrom"] == [{"reference": f"urn:uuid:{questionnaire_response['id']}"}]
        assert observation["subject"] == {"reference": patient_url}
        assert observation["effectiveDateTime"] == questionnaire_response["authored"]

    by_api = api_for(person).call("GET", "/journal/export/fhir")
    assert by_api.status_code == 200
    assert [o["valueInteger"] for o in _resources(by_api.json(), "Observation")] == [8, 7, 44, 28]
    assert _problems(by_api.json()) == []


def test_the_schema_check_is_real_it_refuses_a_broken_bundle():
    person = make_person("wren_f")
    services.measure_submit(actor=person, key="gad7", answers=[1, 1, 1, 1, 1, 1, 1])
    bundle = api_for(person).call("GET", "/journal/export/fhir").json()
    assert _problems(bundle) == []
    observation = _resources(bundle, "Observation")[0]
    observation["status"] = "done"  # not one of FHIR's observation statuses
    observation["valueInteger"] = "seven"
    del _resources(bundle, "QuestionnaireResponse")[0]["status"]  # required
    assert len(_problems(bundle)) >= 1
    assert _problems({**observation, "status": "final", "valueInteger": 7}) == []
    assert _problems({**observation, "valueInteger": 7}) != []
    assert _problems({**observation, "status": "final", "effectiveDateTime": "2nd of May"}) != []


def test_someone_with_no_results_gets_a_valid_bundle_with_only_the_patient():
    person = make_person("wren_f")
    bundle = json.loads(client_for(person).get(reverse("selfcare:export_fhir")).content)
    assert [entry["resource"]["resourceType"] for entry in bundle["entry"]] == ["Patient"]
    assert _problems(bundle) == []
