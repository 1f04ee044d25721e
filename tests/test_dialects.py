"""Blog dialects: template syntax found outside code, converted, or reported with its line."""

from pathlib import Path

import pytest

from pipeline.pandoc import iter_nodes, parse_markdown, stringify
from pipeline.sources import dialects
from pipeline.sources.dialects.tokens import Code, Tag, tokenize


def convert(text: str, front_matter=None, lang="fr", keys=()) -> tuple[str, list, dialects.Context]:
    context = dialects.Context(Path("billet.md"), front_matter=front_matter or {}, lang=lang,
                               bibliography_keys=frozenset(keys))
    markdown, lines = dialects.read_dialects(text, 1, context)
    return markdown, lines, context


def tree(text: str, **kwargs):
    markdown, _, context = convert(text, **kwargs)
    ast = parse_markdown(markdown)
    dialects.transform_tree(ast, context)
    return ast, context


# -- the tokenizer never looks into code ---------------------------------------------------

@pytest.mark.parametrize("text", [
    "```\n{{< figure src=x >}}\n```\n",
    "~~~~ python\n{% raw %}\n~~~~\n",
    "Du code `{{ site.url }}` en ligne.",
    "Deux accents graves ``a ` {% b %}`` ici.",
    "Texte.\n\n    {{< indenté >}}\n    [[wiki]]\n\nSuite.",
    "````\n```\n{{< dans un bloc plus long >}}\n```\n````\n",
])
def test_code_is_never_touched(text):
    markdown, _, context = convert(text)
    assert markdown == text
    assert not context.warnings


def test_tokens_carry_lines_and_arguments():
    pieces = tokenize('a\n\nb {{< figure src="x y.png" caption=`l\'a "b"` >}}\n{{ img(src="q.jpg", alt="Le quai") }}',
                      first_line=10)
    tags = [p for p in pieces if isinstance(p, Tag)]
    assert tags[0].line == 12 and tags[0].kwargs == {"src": "x y.png", "caption": "l'a \"b\""}
    assert tags[1].line == 13 and tags[1].call and tags[1].kwargs == {"src": "q.jpg", "alt": "Le quai"}


def test_a_quote_may_hold_the_closing_delimiter():
    tags = [p for p in tokenize('{{< figure caption="a >}} b" src="x.png" >}}') if isinstance(p, Tag)]
    assert tags[0].kwargs == {"caption": "a >}} b", "src": "x.png"}


def test_paired_tags_nest():
    pieces = tokenize("{{% note %}}\nA {{% note %}}B{{% /note %}} C\n{{% /note %}}")
    outer = pieces[0]
    assert outer.body.strip() == "A {{% note %}}B{{% /note %}} C"
    assert any(isinstance(p, Tag) and p.body == "B" for p in outer.children)


# -- conversions -------------------------------------------------------------------------

def test_hugo_shortcodes():
    ast, context = tree(
        '{{< figure src="port.png" caption="Le *port* [au] matin" >}}\n\n'
        'Voir [le billet]({{< relref "posts/autre.md#fin" >}}) et {{< param "humeur" >}}.\n\n'
        '{{< youtube abc123 >}}\n\n'
        '{{% notice tip "Bon à savoir" %}}\nLe **quai**.\n{{% /notice %}}\n',
        front_matter={"params": {"humeur": "calme"}})
    figure = next(n for n in iter_nodes(ast["blocks"]) if n["t"] == "Figure")
    assert stringify(figure["c"][1][1]) == "Le *port* [au] matin"  # caption text escaped, not Markdown
    links = [n["c"][2][0] for n in iter_nodes(ast["blocks"]) if n["t"] == "Link"]
    assert "/posts/autre/#fin" in links and "https://www.youtube.com/watch?v=abc123" in links
    text = stringify(ast["blocks"])
    assert "calme" in text and "Vidéo YouTube" in text and "Bon à savoir" in text
    box = next(n for n in iter_nodes(ast["blocks"]) if n["t"] == "Div" and "admonition" in n["c"][0][1])
    assert "tip" in box["c"][0][1]
    assert not context.warnings


def test_unknown_tags_warn_with_line_and_keep_their_body():
    markdown, _, context = convert('Un.\n\n{{< inconnu a="1" >}}\n\n{% capture x %}Gardé{% endcapture %}\n\n'
                                   '{{ machin(x=1) }}\n\n{{ site.title }}')
    assert "{{" not in markdown and "{%" not in markdown
    assert "Gardé" in markdown
    lines = sorted(line for _, line in context.warnings)
    assert lines == [3, 5, 7, 9]
    assert all("not supported" in message for message, _ in context.warnings)


def test_liquid():
    markdown, _, context = convert(
        "[a]({{ site.baseurl }}/archives/) [b]({{ '/x/' | relative_url }}) [c]({% post_url 2010-07-21-nom %})\n\n"
        "{% highlight ruby %}\nputs '{{ x }}'\n{% endhighlight %}\n\n{% raw %}{{ brut }}{% endraw %}\n\n"
        "{% comment %}caché{% endcomment %}« {{ page.title }} »",
        front_matter={"title": "Mon *titre*"})
    assert "[a](/archives/)" in markdown and "[b](/x/)" in markdown and "[c](/2010/07/21/nom.html)" in markdown
    assert "```ruby\nputs '{{ x }}'\n```" in markdown
    assert "`{{ brut }}`" in markdown and "caché" not in markdown  # shown as written: as code
    assert r"Mon \*titre\*" in markdown
    assert not context.warnings


def test_raw_content_is_never_typeset():
    """{% raw %} holds template syntax to show as written: no guillemets, no spaces added inside."""
    from pipeline.typography import apply_typography

    ast, _ = tree('Un gabarit : {% raw %}{{ "bonjour" | upcase }}{% endraw %} ici.\n\n'
                  '{% raw %}\n{% if x %}\n  "oui"\n{% endif %}\n{% endraw %}\n')
    apply_typography(ast, "fr")
    codes = [n["c"][1] for n in iter_nodes(ast["blocks"]) if n["t"] in ("Code", "CodeBlock")]
    assert codes == ['{{ "bonjour" | upcase }}', "{% if x %}", "{% endif %}"]
    text = stringify(ast["blocks"]).replace("\u202f", " ").replace("\u00a0", " ")
    assert "« oui »" in text  # what is not a template tag is text, typeset


def test_zola_and_eleventy():
    ast, context = tree('{{ img(src="q.jpg", alt="Le quai") }}\n\n{% note(title="Conseil") %}\nDe l\'eau.\n{% end %}\n\n'
                        '{% image "p.png", "Des semis" %}\n')
    figures = [stringify(n["c"][1][1]) for n in iter_nodes(ast["blocks"]) if n["t"] == "Figure"]
    assert figures == ["Le quai", "Des semis"]
    assert "Conseil" in stringify(ast["blocks"])
    assert not context.warnings


def test_obsidian():
    ast, context = tree("## Les citations\n\nVoir [[Autre note|une autre]] et [[#Les citations]] ; "
                        "[[@eco1985]].\n\n![[plan.png|300]]\n\n%% secret %%\n", keys=("eco1985",))
    text = stringify(ast["blocks"])
    assert "une autre" in text and "secret" not in text
    links = [n["c"][2][0] for n in iter_nodes(ast["blocks"]) if n["t"] == "Link"]
    assert links == ["#les-citations"]
    assert [c["citationId"] for n in iter_nodes(ast["blocks"]) if n["t"] == "Cite" for c in n["c"][0]] == ["eco1985"]
    image = next(n for n in iter_nodes(ast["blocks"]) if n["t"] == "Image")
    assert ["width", "300px"] in image["c"][0][2]
    assert len(context.warnings) == 2  # the wikilink (once) and the image without description


def test_admonitions_of_every_generator_get_a_localised_label():
    ast, context = tree('!!! warning\n    Glissant.\n\n!!! note "Titre à moi"\n    Texte.\n\n'
                        '> [!TIP]\n> Astuce.\n\n::: {.callout-important}\nImportant.\n:::\n\n'
                        '::: {.callout-note}\n## Mon titre\nCorps.\n:::\n')
    boxes = [n for n in iter_nodes(ast["blocks"]) if n["t"] == "Div" and "admonition" in n["c"][0][1]]
    titles = [stringify(b["c"][1][0]) for b in boxes]
    assert titles == ["Attention", "Titre à moi", "Astuce", "Important", "Mon titre"]
    assert not any(n["t"] == "Header" for n in iter_nodes(ast["blocks"]))
    english, _ = tree("!!! warning\n    Slippery.\n", lang="en")
    assert stringify(english["blocks"]).startswith("Warning")


def test_mkdocs_keeps_lines_and_abbreviations():
    text = "Un.\n\n!!! note\n    Deux.\n\nLa SNCF roule.\n\n*[SNCF]: Société nationale\n"
    markdown, lines, _ = convert(text)
    assert markdown.count("\n") == text.count("\n")
    assert markdown.split("\n")[5] == "La SNCF roule."
    ast, _ = tree(text)
    span = next(n for n in iter_nodes(ast["blocks"]) if n["t"] == "Span" and "abbr" in n["c"][0][1])
    assert span["c"][0][2] == [["title", "Société nationale"]]


def test_quarto_chunks_crossrefs_and_bare_at():
    ast, context = tree("## Méthode {#sec-m}\n\nVoir @fig-a, [@tbl-b] et @sec-m. Merci @anne et @fig-manque.\n\n"
                        "![Cap](a.png){#fig-a}\n\n| a |\n|---|\n| 1 |\n\n: Tab {#tbl-b}\n\n"
                        "```{r, echo=FALSE}\nx <- 1\n```\n\n```{python}\ny = 2\n```\n", keys=("lecun",))
    links = [(n["c"][2][0], stringify(n["c"][1])) for n in iter_nodes(ast["blocks"]) if n["t"] == "Link"]
    assert links == [("#fig-a", "Figure 1"), ("#tbl-b", "Tableau 1"), ("#sec-m", "Méthode")]
    text = stringify(ast["blocks"])
    assert "@anne" in text and "@fig-manque" in text
    assert not any(n["t"] == "Cite" for n in iter_nodes(ast["blocks"]))
    code = [n["c"][0][1] for n in iter_nodes(ast["blocks"]) if n["t"] == "CodeBlock"]
    assert code == [["r"], ["python"]]
    messages = [m for m, _ in context.warnings]
    assert sum("code chunk" in m for m in messages) == 1
    assert any("@anne" in m for m in messages) and any("{#fig-manque}" in m for m in messages)


def test_mathjax_delimiters_but_not_escaped_brackets():
    ast, _ = tree("Soit \\(x^2\\) et [sic] \\[sic\\] ici.\n\n\\[\n\\frac{a}{b}\n\\]\n\nCode `\\(y\\)`.\n")
    maths = [(n["c"][0]["t"], n["c"][1].strip()) for n in iter_nodes(ast["blocks"]) if n["t"] == "Math"]
    assert maths == [("InlineMath", "x^2"), ("DisplayMath", "\\frac{a}{b}")]
    assert "[sic]" in stringify(ast["blocks"])
    assert any(n["t"] == "Code" and n["c"][1] == "\\(y\\)" for n in iter_nodes(ast["blocks"]))


def test_kramdown_toc_and_attribute_lists():
    text = "* TOC\n{:toc}\n\nUn paragraphe.\n{: .notice--warning}\n\n```\n{: .dans-le-code}\n```\n\n{{< toc >}}\n"
    markdown, _, context = convert(text)
    assert "TOC" not in markdown and "{:" not in markdown.replace("{: .dans-le-code}", "")
    assert "{: .dans-le-code}" in markdown and "{{" not in markdown
    assert markdown.count("\n") == text.count("\n")
    assert [line for _, line in context.warnings] == [5]


def test_quarto_equations_are_numbered_and_referenced():
    ast, context = tree("$$E = mc^2$$ {#eq-energie}\n\nSelon @eq-energie, tout va bien.\n")
    spans = {n["c"][0][0] or n["c"][0][1][0]: stringify(n["c"][1]) for n in iter_nodes(ast["blocks"])
             if n["t"] == "Span"}
    assert spans["equation-number"] == "(1)" and "eq-energie" in spans
    links = [(n["c"][2][0], stringify(n["c"][1])) for n in iter_nodes(ast["blocks"]) if n["t"] == "Link"]
    assert links == [("#eq-energie", "Équation 1")]
    assert "{#eq" not in stringify(ast["blocks"]) and not context.warnings
