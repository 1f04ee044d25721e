"""CSL items → BibLaTeX entries for resolved.bib: types, case protection, escaping, keys."""

import bibtexparser

from pipeline.references.biblatex import entry, make_key, protect_case
from pipeline.references.resolvers.common import clean_name, clean_text, fix_caps, person


def test_acronyms_and_inner_capitals_are_braced_ordinary_words_are_not():
    assert protect_case("BERT and GPT-4 on an iPhone: NLP for LaTeX users") == \
        "{BERT} and {GPT-4} on an {iPhone}: {NLP} for {LaTeX} users"
    assert protect_case("Attention Is All You Need") == "Attention Is All You Need"


def test_names_tags_and_capitals_are_cleaned():
    assert clean_text("Deep <i>learning</i> of H<sub>2</sub>O &amp; more") == "Deep learning of H2O & more"
    assert fix_caps("JEAN-LUC") == "Jean-Luc" and fix_caps("McCarthy") == "McCarthy"
    assert clean_name({"family": "DUPONT", "given": "MARIE"}) == {"family": "Dupont", "given": "Marie"}
    assert person("Michel de Montaigne") == {"family": "de Montaigne", "given": "Michel"}
    assert person("Eco, Umberto") == {"family": "Eco", "given": "Umberto"}


def test_keys_are_readable_and_unique():
    item = {"author": [{"family": "Vaswani", "given": "Ashish"}], "issued": {"date-parts": [[2017, 6]]},
            "title": "Attention Is All You Need"}
    assert make_key(item, set()) == "vaswani2017attention"
    assert make_key(item, {"vaswani2017attention"}) == "vaswani2017attentiona"
    french = {"author": [{"family": "Lemaire", "given": "Sophie"}], "issued": {"date-parts": [[2025]]},
              "title": "L’IA à l’université"}
    assert make_key(french, set()) == "lemaire2025ia"
    site = {"container-title": "Le Carnet", "title": "Un billet"}
    assert make_key(site, set()) == "lecarnetbillet"


def test_entries_parse_back_with_the_right_types_and_fields():
    news = {"type": "article-newspaper", "title": "L’IA & l’école : 100 % en ligne", "container-title": "Le Quotidien",
            "author": [{"family": "Lemaire", "given": "Sophie"}], "issued": {"date-parts": [[2025, 9, 15]]},
            "URL": "https://quotidien.example/2025/09/15/ia_ecole.html?x=1&y=%20", "language": "fr-FR"}
    model = {"type": "software", "title": "Mistral-7B-v0.1", "author": [{"literal": "Mistral AI"}],
             "version": "27d67f1b5f57", "publisher": "Hugging Face", "issued": {"date-parts": [[2023, 9, 20]]},
             "URL": "https://huggingface.co/mistralai/Mistral-7B-v0.1"}
    page = {"type": "webpage", "title": "Une page", "URL": "https://example.org/a-page"}
    text = (entry("lemaire2025ia", news, urldate="2025-11-29", todo=[])
            + entry("mistral2023", model, urldate="2025-11-29", todo=[])
            + entry("page", page, urldate="2025-11-29", todo=["author", "date"]))
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    entries = {e.key: e for e in library.entries}
    article = entries["lemaire2025ia"]
    assert article.entry_type == "article"
    assert article.fields_dict["journaltitle"].value == "Le Quotidien"
    assert article.fields_dict["entrysubtype"].value == "newspaper"
    assert article.fields_dict["title"].value == r"L’{IA} \& l’école : 100 \% en ligne"
    assert article.fields_dict["urldate"].value == "2025-11-29"
    assert article.fields_dict["langid"].value == "french"
    assert entries["mistral2023"].fields_dict["author"].value == "{Mistral AI}"
    assert entries["page"].entry_type == "online"
    assert entries["page"].fields_dict["todo"].value == "missing: author, date"
