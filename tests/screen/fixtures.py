"""Small hand-written records that look like the real ones the stem-cell-depression rules meet."""

from __future__ import annotations

from litwatch.records import AbstractSection, DateValue, Ids, Provenance, Record


def rec(pmid: str, title: str, abstract: str, month: str = "2025-03", source: str = "pubmed") -> Record:
    return Record(
        ids=Ids(pmid=pmid),
        title=title,
        abstract=[AbstractSection(abstract)],
        dates={"electronic": DateValue(f"{month}-01")},
        provenance=[Provenance(source=source, origin="fixture")],
    )


MSC_EXOSOME_CUMS = rec(
    "90000001",
    "Exosomes from umbilical cord mesenchymal stem cells alleviate depressive-like behaviour in CUMS mice",
    "Chronic unpredictable mild stress (CUMS) induced depression-like behaviour in mice. Exosomes derived "
    "from human umbilical cord mesenchymal stem cells (hUC-MSC-Exos) were injected intranasally and reversed "
    "anhedonia in the sucrose preference test and immobility in the forced swim test.",
)
BONE_MARROW_DEPRESSION = rec(
    "90000002",
    "Bone marrow depression after chemotherapy and mesenchymal stem cell co-transplantation",
    "Myelosuppression and bone marrow depression were the main toxicities. Mesenchymal stem cells were "
    "co-infused to support haematopoietic recovery in 40 patients with leukaemia.",
)
ST_SEGMENT = rec(
    "90000003",
    "ST-segment depression after autologous stem cell infusion for heart failure",
    "We studied ST-segment depression on exercise ECG after intracoronary bone marrow stem cell infusion.",
)
CANCER_STEM_CELLS = rec(
    "90000004",
    "Cancer stem cells and depression in breast cancer survivors",
    "Cancer stem cells drive relapse; we also surveyed depression among 200 survivors.",
)
MSC_TRD_TRIAL = rec(
    "90000005",
    "Intravenous mesenchymal stromal cells for treatment-resistant depression: a phase 1 trial",
    "Twelve patients with treatment-resistant depression received allogeneic MSCs. HAM-D scores fell "
    "at week 8 and no serious adverse events occurred.",
)
NSC_MODEL = rec(
    "90000006",
    "Neural stem cell grafts restore hippocampal neurogenesis and antidepressant response in rats",
    "Transplanted neural stem cells (NSCs) rescued depressive-like behaviour after chronic social defeat stress.",
    month="2025-04",
)
UNRELATED = rec(
    "90000007",
    "Telomere length and pancreatic cancer risk",
    "We measured telomere length in 1,200 cases and controls.",
)

ALL = [MSC_EXOSOME_CUMS, BONE_MARROW_DEPRESSION, ST_SEGMENT, CANCER_STEM_CELLS, MSC_TRD_TRIAL, NSC_MODEL, UNRELATED]
