"""The code systems, profiles and extensions umpolicy reads and writes in FHIR, each once.

Systems are the canonical URIs of HL7's terminology registry; profiles and extensions
those of the Da Vinci PAS, CRD and DTR implementation guides (FHIR R4). umpolicy's own
identifiers (the decision it made, the questionnaires it generates) are URNs under
``urn:umpolicy:``, so they never pass for another publisher's.
"""

from __future__ import annotations

from umpolicy.dsl.drug import CATCH_ALL_HCPCS

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
NUCC = "http://nucc.org/provider-taxonomy"
ATC = "http://www.whocc.no/atc"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
NDC = "http://hl7.org/fhir/sid/ndc"
HCPCS = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
CPT = "http://www.ama-assn.org/go/cpt"

#: The code systems a requested drug's code may be in.
DRUG_SYSTEMS = (RXNORM, NDC, HCPCS)


#: Every resource type of FHIR R4 (4.0.1). A resource of another type (``medicationStatement``,
#: R5's ``MedicationUsage``) is no record umpolicy can read, and passed over it could be
#: the one that spoils an approval (a therapy given alongside): it is a problem.
R4_RESOURCE_TYPES = frozenset(
    """
    Account ActivityDefinition AdverseEvent AllergyIntolerance Appointment AppointmentResponse
    AuditEvent Basic Binary BiologicallyDerivedProduct BodyStructure Bundle CapabilityStatement
    CarePlan CareTeam CatalogEntry ChargeItem ChargeItemDefinition Claim ClaimResponse
    ClinicalImpression CodeSystem Communication CommunicationRequest CompartmentDefinition
    Composition ConceptMap Condition Consent Contract Coverage CoverageEligibilityRequest
    CoverageEligibilityResponse DetectedIssue Device DeviceDefinition DeviceMetric
    DeviceRequest DeviceUseStatement DiagnosticReport DocumentManifest DocumentReference
    EffectEvidenceSynthesis Encounter Endpoint EnrollmentRequest EnrollmentResponse
    EpisodeOfCare EventDefinition Evidence EvidenceVariable ExampleScenario
    ExplanationOfBenefit FamilyMemberHistory Flag Goal GraphDefinition Group GuidanceResponse
    HealthcareService ImagingStudy Immunization ImmunizationEvaluation
    ImmunizationRecommendation ImplementationGuide InsurancePlan Invoice Library Linkage List
    Location Measure MeasureReport Media Medication MedicationAdministration MedicationDispense
    MedicationKnowledge MedicationRequest MedicationStatement MedicinalProduct
    MedicinalProductAuthorization MedicinalProductContraindication MedicinalProductIndication
    MedicinalProductIngredient MedicinalProductInteraction MedicinalProductManufactured
    MedicinalProductPackaged MedicinalProductPharmaceutical MedicinalProductUndesirableEffect
    MessageDefinition MessageHeader MolecularSequence NamingSystem NutritionOrder Observation
    ObservationDefinition OperationDefinition OperationOutcome Organization
    OrganizationAffiliation Parameters Patient PaymentNotice PaymentReconciliation Person
    PlanDefinition Practitioner PractitionerRole Procedure Provenance Questionnaire
    QuestionnaireResponse RelatedPerson RequestGroup ResearchDefinition
    ResearchElementDefinition ResearchStudy ResearchSubject RiskAssessment
    RiskEvidenceSynthesis Schedule SearchParameter ServiceRequest Slot Specimen
    SpecimenDefinition StructureDefinition StructureMap Subscription Substance
    SubstanceNucleicAcid SubstancePolymer SubstanceProtein SubstanceReferenceInformation
    SubstanceSourceMaterial SubstanceSpecification SupplyDelivery SupplyRequest Task
    TerminologyCapabilities TestReport TestScript ValueSet VerificationResult
    VisionPrescription
    """.split()  # noqa: SIM905 (146 names, read as the specification lists them)
)

#: HCPCS codes of no one drug ("not otherwise classified", "unclassified"): J9999 is any
#: antineoplastic without a code of its own, so two records coded by one alone may be
#: two drugs.
CATCH_ALL = frozenset((HCPCS, code) for code in CATCH_ALL_HCPCS)

#: The systems of a Condition's clinical and verification status (FHIR R4, required).
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
#: The Claim's diagnosis types (FHIR R4, example): ``differential`` is one not yet made.
DIAGNOSIS_TYPE = "http://terminology.hl7.org/CodeSystem/ex-diagnosistype"

#: Names of the systems, for error messages.
SYSTEM_NAMES = {
    ICD10CM: "ICD-10-CM",
    SNOMED: "SNOMED CT",
    LOINC: "LOINC",
    UCUM: "UCUM",
    NUCC: "NUCC provider taxonomy",
    ATC: "ATC",
    RXNORM: "RxNorm",
    NDC: "NDC",
    HCPCS: "HCPCS",
}
#: Each system's URI, by the name :data:`SYSTEM_NAMES` gives it (``HCPCS`` → its URI).
SYSTEM_URIS = {name: uri for uri, name in SYSTEM_NAMES.items()}

#: The body measurements read from Observations: LOINC code → the request's field.
BODY_OBSERVATIONS = {
    "29463-7": "patient.weight",
    "8302-2": "patient.height",
    "8277-6": "patient.bsa",
}

# X12 code lists the PAS guide binds (the codes are X12's; only those used are named).
X12_ACTION = "https://codesystem.x12.org/005010/306"
X12_REASON = "https://codesystem.x12.org/external/886"
X12_CERTIFICATION = "https://codesystem.x12.org/005010/1322"
#: X12 306 review actions umpolicy gives: certified in total, and pended. Never A3.
CERTIFIED_IN_TOTAL = ("A1", "Certified in total")
PENDED = ("A4", "Pended")
#: X12 1322 certification types: initial, and renewal (continuation of therapy).
CERTIFICATION_KINDS = {"I": "initial", "R": "continuation"}

PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
PAS_CLAIM_RESPONSE = f"{PAS}profile-claimresponse"
PAS_CERTIFICATION_TYPE = f"{PAS}extension-certificationType"
PAS_REQUESTED_SERVICE = f"{PAS}extension-requestedService"
PAS_REVIEW_ACTION = f"{PAS}extension-reviewAction"
PAS_REVIEW_ACTION_CODE = f"{PAS}extension-reviewActionCode"
PAS_PREAUTH_PERIOD = f"{PAS}extension-itemPreAuthPeriod"
PAS_PREAUTH_ISSUE_DATE = f"{PAS}extension-itemPreAuthIssueDate"
PAS_REVIEWER = f"{PAS}extension-claimResponseReviewer"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"

CRD_COVERAGE_INFORMATION = (
    "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information"
)
CRD_TEMP = "http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp"

QUESTIONNAIRE_UNIT_OPTION = "http://hl7.org/fhir/StructureDefinition/questionnaire-unitOption"

#: umpolicy's own identifiers: the decision's extension, its identifiers, the
#: questionnaires it generates and the affiliation codes a plan gives organizations.
UMPOLICY = "urn:umpolicy"
DECISION_EXTENSION = f"{UMPOLICY}:extension:decision"
FINGERPRINT_SYSTEM = f"{UMPOLICY}:request-fingerprint"
QUESTIONNAIRE_PREFIX = f"{UMPOLICY}:questionnaire:"
AFFILIATION = f"{UMPOLICY}:affiliation"
#: Facts by their umpolicy names (``therapies.prior``), where FHIR has no code for them.
FACT = f"{UMPOLICY}:fact"
LIST_EMPTY_REASON = "http://terminology.hl7.org/CodeSystem/list-empty-reason"
#: The code systems that say what kind of task a Task is (fulfil an order, a request for
#: data or an attachment), not what it gives: FHIR's own, and Da Vinci HRex's and CDex's.
TASK_KINDS = frozenset(
    (
        "http://hl7.org/fhir/CodeSystem/task-code",
        "http://hl7.org/fhir/us/davinci-hrex/CodeSystem/hrex-temp",
        "http://hl7.org/fhir/us/davinci-cdex/CodeSystem/cdex-temp",
    )
)
