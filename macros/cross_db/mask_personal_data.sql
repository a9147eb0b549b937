{#- Free text with the email addresses replaced by '[email]' and the phone numbers by '[phone]',
    so personal data typed into a job title, a status reason or a URL never leaves staging.

    Email: local part, '@' (or '%40', URL-encoded), a dotted domain ending in 2+ letters.
    Phone: an area code ('(415) ', '415-', '020 ', '0800 ', after an optional '+1 ' country
    code) followed by 3-4 digits, an optional separator and 4 digits, as in +1 415 555 0100,
    (415) 555-0100, 020 7946 0958 or 415.555.0100; or '+' and 9-15 digits (+14155550100).
    Separators are a space, '.' or '-'. Not masked: years (2026), dates (2026-03-29,
    29.03.2026), ids (L00000042), amounts (12000.50, 1 250 000: thousands come in groups of 3),
    ranges (0-3 months, 100-5000); a bare area code of 4 digits must start with 0, so a run of
    years is no phone. Each engine spells a word boundary its own way: \b (RE2, Java), \y (Postgres). -#}
{% macro lf_mask_personal_data(expression) %}
    {{ return(adapter.dispatch('lf_mask_personal_data', 'lead_funnel')(expression)) }}
{% endmacro %}


{#- The two patterns, with `word_boundary` written as the engine wants it. -#}
{% macro lf_personal_data_patterns(word_boundary) %}
    {%- set b = word_boundary -%}
    {%- set email = "[A-Za-z0-9._%+-]+(@|%40)[A-Za-z0-9-]+([.][A-Za-z0-9-]+)*[.][A-Za-z]{2,}" -%}
    {%- set phone = "[+][1-9][0-9]{8,14}" ~ b
        ~ "|([+][0-9]{1,3}[ .-]?)?([(][0-9]{2,4}[)][ .-]?|" ~ b ~ "([0-9]{2,3}|0[0-9]{3})[ .-])"
        ~ "[0-9]{3,4}[ .-]?[0-9]{4}" ~ b -%}
    {{ return({'email': email, 'phone': phone}) }}
{% endmacro %}


{#- Postgres (and other engines with POSIX-style regular expressions): 'g' replaces every match. -#}
{% macro default__lf_mask_personal_data(expression) -%}
    {%- set patterns = lf_personal_data_patterns('\\y') -%}
    regexp_replace(
        regexp_replace({{ expression }}, '{{ patterns.email }}', '[email]', 'g'),
        '{{ patterns.phone }}', '[phone]', 'g'
    )
{%- endmacro %}


{#- DuckDB (RE2): 'g' replaces every match. -#}
{% macro duckdb__lf_mask_personal_data(expression) -%}
    {%- set patterns = lf_personal_data_patterns('\\b') -%}
    {#- only text with an '@' (or '%40') or at least 7 digits can hold either: the rest skips
        the regular expressions -#}
    case
        when
            contains({{ expression }}, '@')
            or contains({{ expression }}, '%40')
            or length({{ expression }}) - length(translate({{ expression }}, '0123456789', '')) >= 7
            then regexp_replace(
                regexp_replace({{ expression }}, '{{ patterns.email }}', '[email]', 'g'),
                '{{ patterns.phone }}', '[phone]', 'g'
            )
        else {{ expression }}
    end
{%- endmacro %}


{#- Spark (Java regex): regexp_replace replaces every match; string literals unescape '\\'. -#}
{% macro spark__lf_mask_personal_data(expression) -%}
    {%- set patterns = lf_personal_data_patterns('\\\\b') -%}
    regexp_replace(
        regexp_replace({{ expression }}, '{{ patterns.email }}', '[email]'),
        '{{ patterns.phone }}', '[phone]'
    )
{%- endmacro %}
