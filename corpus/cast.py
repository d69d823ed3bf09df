"""The planted cast and the name pools: organisations, people with known affiliations,
bots and the spammer.  All names and company domains are invented (``.example``)."""

from __future__ import annotations

from corpus.model import Affiliation, Org, OrgKind, Person, Reason

A = Affiliation
CORP, INDIV, ACAD, UNK = OrgKind.CORPORATE, OrgKind.INDIVIDUAL, OrgKind.ACADEMIC, OrgKind.UNKNOWN

#: 2024-05-01, 2024-04-01 and 2024-06-15 (UTC): the planted affiliation changes.
MAY_2024 = 1714521600
APRIL_2024 = 1711929600
JUNE_15_2024 = 1718409600
#: Authors whose first patch is on or after this date are planted newcomers.
NEWCOMER_SINCE = 1719792000  # 2024-07-01

ORGS = (
    Org("Acme Semiconductor", CORP, "acme-semi.example"),
    Org("Globex Corporation", CORP, "globex.example"),
    Org("Hooli", CORP, "hooli.example"),
    Org("Initech", CORP, "initech.example"),
    Org("Soylent Networks", CORP, "soylent.example"),
    Org("Umbrella Systems", CORP, "umbrella-sys.example"),
    Org("Vandelay Industries", CORP, "vandelay.example"),
    Org("Cyberdyne Systems", CORP, "cyberdyne.example"),
    Org("Massive Dynamic", CORP, "massive-dynamic.example"),
    Org("Example University", ACAD, "cs.example.edu"),
    Org("University of Exampleshire", ACAD, "cl.example.ac.uk"),
    Org("Technische Hochschule Beispielstadt", ACAD, "informatik.th-beispiel.example.edu"),
)
FREE_MAIL = ("gmail.com", "outlook.com", "protonmail.com")
UNKNOWN_DOMAINS = ("mail.qwertynet.example", "post.zephyrlink.example", "inbox.nordmail.example")
_CORP_WEIGHTS = (9, 7, 6, 6, 3, 4, 3, 2, 2)

FIRST = [
    "Aldric",
    "Anouk",
    "Bastian",
    "Bettina",
    "Caius",
    "Celeste",
    "Dagny",
    "Dorian",
    "Elio",
    "Esme",
    "Fintan",
    "Freya",
    "Gideon",
    "Greta",
    "Hamish",
    "Hedda",
    "Idris",
    "Ilse",
    "Jasper",
    "Jovana",
    "Kalle",
    "Kirsi",
    "Leander",
    "Liesel",
    "Magnus",
    "Maren",
    "Nikodem",
    "Noor",
    "Oskar",
    "Orla",
    "Pavlo",
    "Petra",
    "Quentin",
    "Quilla",
    "Ragnar",
    "Rosalind",
    "Sefton",
    "Solveig",
    "Tobiah",
    "Tamsin",
    "Ulrich",
    "Una",
    "Vidar",
    "Vesna",
    "Wendell",
    "Wilhelmina",
    "Xavi",
    "Ximena",
    "Yannick",
    "Yelena",
    "Zoltan",
    "Zinnia",
    "Anselm",
    "Brigida",
    "Cosimo",
    "Delphine",
    "Emeric",
    "Fiora",
    "Gaspard",
    "Honora",
]
LAST = [
    "Abernathy",
    "Bergqvist",
    "Castellano",
    "Dravecky",
    "Eastwood",
    "Falkenrath",
    "Gorecki",
    "Halvorsen",
    "Ibarra",
    "Janssens",
    "Kowalczyk",
    "Lindqvist",
    "Mortensen",
    "Novakovic",
    "Oyelowo",
    "Pellegrini",
    "Quintero",
    "Rasmussen",
    "Szczepanski",
    "Thorvaldsen",
    "Underhill",
    "Valtonen",
    "Whitcombe",
    "Xenakis",
    "Yardley",
    "Zimmerlin",
    "Achterhof",
    "Brannigan",
    "Cuthbertson",
    "Delacroix",
    "Eriksdottir",
    "Fairweather",
    "Grunewald",
    "Hollingsworth",
    "Ingersoll",
    "Jablonski",
    "Kettleborough",
    "Lachance",
    "Mirabelli",
    "Nightingale",
    "Ostrowski",
    "Penhaligon",
    "Quackenbush",
    "Rothenberg",
    "Stavros",
    "Tennyson",
    "Uhlmann",
    "Vanderbilt",
    "Wojcik",
    "Ystad",
    "Zabrowski",
]
_NON_ASCII = (
    "Søren Ødegård",
    "Zoë Brontë-Ångström",
    "Łukasz Wróblewski",
    "Ngô Thị Hương",
    "José Núñez",
    "Çağla Yılmaz",
)

# The planted cast.  Each tuple: id, name, addresses, affiliations, weight.
_FIXED: tuple[Person, ...] = (
    # FROB SUBSYSTEM maintainer: kernel.org address, also posts from his employer's address.
    Person(
        "p-brekke",
        "Hallvard Brekke",
        ("brekke@kernel.org", "hallvard.brekke@acme-semi.example"),
        (A(CORP, "Acme Semiconductor", None, None, Reason.OTHER_ADDRESS),),
        weight=3.0,
        alternate_every=3,
    ),
    Person(
        "p-marchetti",
        "Odile Marchetti",
        ("odile.marchetti@initech.example",),
        (A(CORP, "Initech", None, None, Reason.DOMAIN_MAP),),
        weight=2.0,
    ),
    Person(
        "p-okafor",
        "Tamsin Okafor",
        ("tamsin@okafor.example",),
        (A(INDIV, None, None, None, Reason.NO_EMPLOYER_MAP),),
        weight=2.0,
    ),
    Person(
        "p-valdane",
        "Rurik Valdane",
        ("rvaldane@globex.example",),
        (A(CORP, "Globex Corporation", None, None, Reason.DOMAIN_MAP),),
        weight=3.0,
    ),
    Person(
        "p-sethuraman",
        "Priyamvada Sethuraman",
        ("psethu@hooli.example",),
        (A(CORP, "Hooli", None, None, Reason.DOMAIN_MAP),),
        weight=2.0,
    ),
    Person(
        "p-sjostrom",
        "Linnea Sjöström",
        ("linnea.sjostrom@acme-semi.example",),
        (A(CORP, "Acme Semiconductor", None, None, Reason.DOMAIN_MAP),),
        weight=2.0,
    ),
    Person(
        "p-dunleavy",
        "Casimir Dunleavy",
        ("cdunleavy@gmail.com",),
        (A(INDIV, None, None, None, Reason.FREE_MAIL),),
    ),
    Person(
        "p-vasquez",
        "Ingrid Vasquez-Holm",
        ("ingrid@vandelay.example",),
        (A(CORP, "Vandelay Industries", None, None, Reason.DOMAIN_MAP),),
        weight=3.0,
    ),
    Person(
        "p-nakagawa",
        "Bartholomew Nakagawa",
        ("bnakagawa@cyberdyne.example",),
        (A(CORP, "Cyberdyne Systems", None, None, Reason.DOMAIN_MAP),),
        weight=1.5,
    ),
    Person(
        "p-quist",
        "Evander Quist",
        ("evander.quist@umbrella-sys.example",),
        (A(CORP, "Umbrella Systems", None, None, Reason.DOMAIN_MAP),),
    ),
    # Changes employer mid-period and with it his posting address.
    Person(
        "p-feldkamp",
        "Jonas Feldkamp",
        ("jonas.feldkamp@initech.example", "jonas.feldkamp@globex.example"),
        (
            A(CORP, "Initech", None, JUNE_15_2024, Reason.DOMAIN_MAP),
            A(CORP, "Globex Corporation", JUNE_15_2024, None, Reason.DOMAIN_MAP),
        ),
        weight=2.0,
        moves=((JUNE_15_2024, "jonas.feldkamp@globex.example"),),
    ),
    # A free-mail address mapped with an end-dated line and a successor line.
    Person(
        "p-constantinescu",
        "Mirela Constantinescu",
        ("mirela.c@gmail.com",),
        (
            A(CORP, "Hooli", None, MAY_2024, Reason.DATED_MAP),
            A(CORP, "Soylent Networks", MAY_2024, None, Reason.DATED_MAP),
        ),
        weight=1.5,
    ),
    # Free-mail From:, corporate Signed-off-by.
    Person(
        "p-achterberg",
        "Desmond Achterberg",
        ("desmond.achterberg@gmail.com",),
        (A(CORP, "Umbrella Systems", None, None, Reason.SIGNED_OFF_BY),),
        sob_address="desmond.achterberg@umbrella-sys.example",
        weight=1.5,
    ),
    Person(
        "p-harrowgate",
        "Wen-Li Harrowgate",
        ("wharrowgate@cs.example.edu",),
        (A(ACAD, "Example University", None, None, Reason.ACADEMIC_DOMAIN),),
    ),
    Person(
        "p-drummond",
        "Fenella Drummond",
        ("fd342@cl.example.ac.uk",),
        (A(ACAD, "University of Exampleshire", None, None, Reason.ACADEMIC_DOMAIN),),
    ),
    Person(
        "p-otieno",
        "Kasimir Otieno",
        ("kasimir@mail.qwertynet.example",),
        (A(UNK, None, None, None, Reason.NONE),),
    ),
    # Acquired: Massive Dynamic becomes Globex on 2024-04-01 (dated domain lines).
    Person(
        "p-moreau",
        "Anaïs Moreau",
        ("anais.moreau@massive-dynamic.example",),
        (
            A(CORP, "Massive Dynamic", None, APRIL_2024, Reason.DATED_MAP),
            A(CORP, "Globex Corporation", APRIL_2024, None, Reason.DATED_MAP),
        ),
    ),
    Person(
        "p-kuehlmann",
        "Jürgen Kühlmann",
        ("jkuehlmann@vandelay.example",),
        (A(CORP, "Vandelay Industries", None, None, Reason.DOMAIN_MAP),),
    ),
    Person(
        "p-vorontsov",
        "Дмитрий Воронцов",
        ("vorontsov@soylent.example",),
        (A(CORP, "Soylent Networks", None, None, Reason.DOMAIN_MAP),),
        alt_names=("Dmitry Vorontsov",),
    ),
    Person(
        "p-brisbane",
        "Ottoline Brisbane",
        ("ottoline.brisbane@gmail.com",),
        (A(INDIV, None, None, None, Reason.FREE_MAIL),),
        newcomer=True,
        active_from=1730419200,  # 2024-11-01
        weight=0.3,
    ),
    Person(
        "p-oyelaran",
        "Beatriz Oyelaran",
        ("beatriz.oyelaran@outlook.com",),
        (A(INDIV, None, None, None, Reason.FREE_MAIL),),
        newcomer=True,
        active_from=1727740800,  # 2024-10-01
        weight=0.3,
    ),
)

BOTS: tuple[Person, ...] = (
    Person(
        "bot-patchwork",
        "patchwork-bot+linux-frob",
        ("patchwork-bot+linux-frob@kernel.org",),
        (A(UNK, None, None, None, Reason.BOT),),
        is_bot=True,
    ),
    Person(
        "bot-lkp",
        "kernel test robot",
        ("lkp@intel.com",),
        (A(UNK, None, None, None, Reason.BOT),),
        is_bot=True,
    ),
    Person(
        "bot-syzbot",
        "syzbot",
        ("syzbot+5c0ffee1d2b4a6f8e9d0@syzkaller.appspotmail.com",),
        (A(UNK, None, None, None, Reason.BOT),),
        is_bot=True,
    ),
    Person(
        "bot-pr-tracker",
        "pr-tracker-bot",
        ("pr-tracker-bot@kernel.org",),
        (A(UNK, None, None, None, Reason.BOT),),
        is_bot=True,
    ),
)

SPAMMER = Person(
    "p-spammer",
    "Best Watches",
    ("sales@cheap-watches.example",),
    (A(UNK, None, None, None, Reason.NONE),),
)
