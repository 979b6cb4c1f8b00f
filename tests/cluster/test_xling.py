"""Reports of one event in different languages join one story as they stream in, in any
order, while two events of one kind stay apart; and the demo's English and Russian outlets
share their stories."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

from tidings.cluster.clusterer import ClusterDoc, StoryClusterer
from tidings.config import Settings
from tidings.demo import load_sample
from tidings.store import Store
from tidings.worker.stages import run_queued

# Two rate decisions of two (invented) central banks, each reported in English, Spanish,
# Italian and Russian: the reports of one decision share names and figures, not words; the
# two decisions share their vocabulary.
NORLAND = [
    ("Bank of Norland raises its key rate to 4.25%",
     "The Bank of Norland raised its key interest rate by a quarter point to 4.25% on "
     "Thursday, its fourth increase this year. Governor Ilse Marren said inflation of 6.8% "
     "had passed its peak. The krone rose 1.2% against the euro in Askeby."),
    ("El Banco de Norland sube su tipo de interés al 4,25%",
     "El Banco de Norland subió el jueves su tipo de interés oficial un cuarto de punto, "
     "hasta el 4,25%, la cuarta subida del año. La gobernadora Ilse Marren dijo que la "
     "inflación del 6,8% ya ha tocado techo. La corona subió un 1,2% frente al euro en Askeby."),
    ("La Banca di Norland alza il tasso al 4,25%",
     "La Banca di Norland ha alzato giovedì il tasso di riferimento di un quarto di punto, al "
     "4,25%, il quarto rialzo dell'anno. La governatrice Ilse Marren ha detto che "
     "l'inflazione al 6,8% ha superato il picco. La corona è salita dell'1,2% sull'euro "
     "ad Askeby."),
    ("Банк Норланда повысил ключевую ставку до 4,25%",
     "Банк Норланда в четверг повысил ключевую ставку на четверть пункта, до 4,25%, — "
     "четвёртое повышение за год. Глава банка Ильсе Маррен заявила, что инфляция в 6,8% "
     "прошла пик. Крона подорожала на 1,2% к евро в Аскеби."),
]
SVELAND = [
    ("Sveland central bank cuts rates to 2.75% as growth stalls",
     "Sveland's central bank cut its benchmark rate by half a point to 2.75% on Tuesday, "
     "citing an economy that shrank 0.4% last quarter. Governor Tomas Lind said the bank "
     "was ready to act again. Mortgage lenders in Vardby followed within hours."),
    ("El banco central de Sveland baja los tipos al 2,75%",
     "El banco central de Sveland recortó el martes su tipo de referencia medio punto, hasta "
     "el 2,75%, ante una economía que se contrajo un 0,4% el último trimestre. El gobernador "
     "Tomas Lind dijo que el banco está listo para volver a actuar. Los bancos de Vardby le "
     "siguieron."),
    ("La banca centrale di Sveland taglia i tassi al 2,75%",
     "La banca centrale di Sveland ha tagliato martedì il tasso di riferimento di mezzo punto, "
     "al 2,75%, con un'economia calata dello 0,4% nell'ultimo trimestre. Il governatore Tomas "
     "Lind ha detto che la banca è pronta ad agire ancora. Le banche di Vardby si sono adeguate."),
    ("Центробанк Свеланда снизил ставку до 2,75%",
     "Центральный банк Свеланда во вторник снизил базовую ставку на полпункта, до 2,75%, "
     "так как экономика сократилась на 0,4% в прошлом квартале. Глава банка Томас Линд "
     "заявил, что банк готов действовать снова. Банки Вардбю последовали за ним."),
]


def test_translations_join_and_two_events_of_one_kind_stay_apart_in_any_order() -> None:
    docs = [("n", i, r) for i, r in enumerate(NORLAND)] + \
           [("s", i, r) for i, r in enumerate(SVELAND)]
    for seed in range(12):
        order = docs[:]
        random.Random(seed).shuffle(order)
        clusterer = StoryClusterer()
        for event, i, (title, text) in order:
            # no language is given: the clusterer must not need it
            clusterer.add(ClusterDoc(f"{event}{i}", title, text, date(2026, 3, 5)))
        labels = clusterer.labels()
        assert len({labels[f"n{i}"] for i in range(4)}) == 1, seed
        assert len({labels[f"s{i}"] for i in range(4)}) == 1, seed
        assert labels["n0"] != labels["s0"], seed


def test_the_demo_english_and_russian_outlets_share_their_stories(
        sqlite_store: Store, settings: Settings) -> None:
    load_sample(sqlite_store, settings, datetime(2026, 3, 5, 12, 0, tzinfo=UTC))
    run_queued(sqlite_store, settings)
    articles, _ = sqlite_store.articles.latest(limit=100)
    story_of = {a.title: a.story_id for a in articles}

    def story(*words: str) -> set[int | None]:
        return {sid for title, sid in story_of.items() if all(w in title for w in words)}

    rate = story("Norland central bank raises rates") | story("Bank of Norland lifts") | \
        story("Банк Норланда")
    storm = story("Storm Elna floods") | story("Coastguard rescues") | story("Шторм «Эльна»")
    strike = story("Rail strike called off") | story("Norrail strike") | \
        story("Забастовка машинистов")
    assert len(rate) == len(storm) == len(strike) == 1
    assert len(rate | storm | strike) == 3
    # places shared by two unrelated local reports do not make them one story
    assert story("public sauna") != story("Library to lend tools")
