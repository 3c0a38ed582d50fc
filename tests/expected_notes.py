"""tab-01's note on Brazil's UNODC count of women held (2020: 28,688 in cells + 8,130 monitored + 4,566 in home
detention + 196 held by the police = UNODC's 41,580, tab-08), as a reader sees it in each language: the tests of every
place that quotes it (the regional chapter, the briefing, the profiles, their index, the values files) expect this
text, written out here once rather than derived from the code under test."""

BRAZIL_COUNT_NOTE = {
    "en": "count includes 12,696 women outside cells (electronic monitoring, home detention) and 196 held by the "
          "police (table 8 of the briefing); a change from a year before electronic monitoring (Law 12.258 of "
          "2010) compares counts of different scope",
    "es": "el recuento incluye 12.696 mujeres fuera de las celdas (monitoreo electrónico, detención domiciliaria) "
          "y 196 bajo custodia policial (tabla 8 del informe); una variación desde un año anterior al monitoreo "
          "electrónico (Ley 12.258 de 2010) compara recuentos de distinto alcance",
    "pt": "a contagem inclui 12.696 mulheres fora das celas (monitoração eletrônica, prisão domiciliar) e 196 "
          "sob custódia policial (tabela 8 do informe); uma variação desde um ano anterior à monitoração "
          "eletrônica (Lei 12.258/2010) compara contagens de abrangência diferente",
}
