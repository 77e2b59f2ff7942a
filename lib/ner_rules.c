/*
 * ner_rules: the rule-based entity extractor ("rules-1"), hand-written rules
 * over gazetteers. The worker's default extractor is the trained tagger
 * (ner_tagger.c), which takes DATE, MONEY and PERCENT from these rules and
 * uses the word lists below as features (ner_rules_lexicon()); --model rules
 * runs the rules alone.
 *
 * How it works. ner_rules_open() loads every word list below into one
 * open-addressing hash table (FNV-1a, load <= 1/2), keyed by the exact
 * spelling for names ("Russia", "NATO", "U.S.") and by the lower-case
 * spelling for function words ("the", "said", "percent"); a multi-word
 * entry ("Saudi Arabia", "Secretary of State") is stored whole with its
 * words joined by one space, and its first word is marked LX_PHRASE so the
 * tagger only builds a joined key where one can match. Per document, one
 * pass looks every word token up (exact and lower-cased; a shouted word of
 * three or more capitals, "LONDON", also in title case) into a scratch
 * array owned by the extractor; after that the tagger reads flags only.
 * Nothing is allocated per token: the scratch array and the caller's
 * mention array grow only when a document is bigger than any before.
 *
 * Rules, per sentence, headings skipped (they yield no mentions):
 *   1. Numbers first. MONEY: a currency sign (optionally prefixed US/A/C/HK)
 *      or ISO code before an amount, with an optional scale ("$5 million",
 *      "US$3bn", "€40"), or an amount with an optional scale before a
 *      currency word ("300 million euros"). PERCENT: a number before "%",
 *      "percent", "pct", "per cent" or "percentage points". DATE: a month
 *      with an optional day and year ("February 18", "18 February 2025",
 *      "May 2024"; "May" alone only after in/since/by/...), a weekday,
 *      "today"/"yesterday"/..., "next week"/"last month"/"this year", "(a
 *      few) weeks ago", a decade ("1990s"), and a year 1900-2099 standing
 *      alone after a preposition, determiner or possessive ("in 2022", "its
 *      2008 invitation"); a bare year elsewhere ("2000 troops") is no DATE.
 *   2. Candidate spans are maximal runs of capitalised words (SEG_TF_CAP, or
 *      all-capital acronyms with or without dots), joined across the
 *      connectors of, de, van, von, der, bin, ibn, al, da, del, di, du, la
 *      and "&" when a capitalised word follows. A capitalised word whose
 *      lower-case form is a common English word (a few hundred determiners,
 *      pronouns, prepositions, auxiliaries and sentence openers such as
 *      "However", "Following", "During") never starts or continues a run
 *      unless it is itself in a gazetteer ("US" is a country, "us" is
 *      common). Month and weekday names end a run (they are DATEs). At an
 *      opening position (first word of a sentence, or right after an
 *      opening quote or a colon) a first word ending in -ing or -ly that no
 *      gazetteer knows is dropped too ("Restoring", "Separately").
 *   3. A run is cut into pieces by longest gazetteer match, then:
 *      a. titles: the first title piece (President, Foreign Minister,
 *         Secretary of State, Mr., Gen., ...; consecutive titles and an "of
 *         X" complement, "Minister of Defence", are consumed together) with
 *         words after it splits the run: what precedes is classified on its
 *         own ("Russian" MISC, "UK" LOC, "Bank of England" ORG), the
 *         complement is emitted only if a gazetteer knows it, and what
 *         follows is a PERSON ("Sergei Lavrov"). A title is not a split
 *         point when what follows contains an organisation word ("Justice
 *         Department"); a bare title gives nothing.
 *      b. a run that is one gazetteer entry takes its type: organisations
 *         and acronyms ORG, countries, cities and regions LOC, demonyms
 *         MISC, given names and a short list of well-known surnames PERSON.
 *      c. a run of two or more words containing an organisation word
 *         (Department, Ministry, Bank, Party, Times, ...) is one ORG ("U.S.
 *         State Department", "Russian Foreign Ministry"); else one holding
 *         an event or law word (Cup, Open, War, Treaty, Summit, ...) is one
 *         MISC ("World Cup"); else one holding a place word (Palace,
 *         Square, River, Province, ...) is one LOC ("Red Square"). Any of
 *         these words alone gives nothing.
 *      d. "X of Y" otherwise is two separate spans ("President of Ukraine"
 *         gives LOC "Ukraine").
 *      e. a run starting with a given name, 2-4 words, is a PERSON; a
 *         leading country, city, region, demonym or organisation is split
 *         off with its own type and the rest classified again; a given name
 *         later in the run starts a PERSON there.
 *      f. anything left: 2-3 unknown words are a PERSON, 4 or more MISC, an
 *         unknown acronym (2-4 capitals, or dotted) ORG; unknown shouted
 *         words ("SOCCER", "LUCKY WIN") give nothing. A single unknown word is a
 *         PERSON when a possessive or a verb-like word follows ("Waltz
 *         emphasized", "Lavrov added": a listed verb or any lower-case word
 *         in -ed), LOC after in/at/from/to/into/near/..., MISC otherwise; at
 *         an opening position, where a capital proves nothing, it is kept
 *         only with the possessive or verb evidence (and not when it looks
 *         like a plural, "Officials said").
 *   4. After the document: a single-word mention from rule 3f whose text is
 *      the last word of any PERSON mention in the same document becomes a
 *      PERSON ("to Putin" after "President Vladimir Putin"); an unconfirmed
 *      opening-position guess is dropped.
 * Mentions never include possessive clitics (they are separate tokens and
 * never part of a run), never overlap (every token is consumed once, left
 * to right) and come in text order.
 *
 * Limits: rules know only what the lists know. Capitalised common nouns
 * mid-sentence ("the Riyadh Summit") become PERSON or MISC; organisations
 * without an organisation word or a listed name ("Goldman Sachs") come out
 * as PERSON; ambiguous names take the first listed reading ("Jordan" is a
 * country, "Washington" a city); lower-case titles ("president Trump") are
 * simply outside the run; all-capital text and non-English capitalisation
 * rules are not handled; tokens are never split, so "U.S.-Russia" is one
 * MISC mention; and a surname seen without its full name elsewhere in the
 * chunk relies on the small surname list. One extractor serves one thread
 * at a time (its scratch array is per extractor).
 */
#include "ner.h"
#include "tagger.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Classes of a lexicon entry; an entry may have several. */
enum lex_flag {
	LX_COUNTRY = 1u << 0,
	LX_CITY = 1u << 1,
	LX_REGION = 1u << 2,
	LX_DEMONYM = 1u << 3,
	LX_GIVEN = 1u << 4,
	LX_SURNAME = 1u << 5,
	LX_TITLE = 1u << 6,
	LX_ORGWORD = 1u << 7,
	LX_ORG = 1u << 8,
	LX_COMMON = 1u << 9,     /* lower-case: not a name when capitalised */
	LX_CONNECTOR = 1u << 10, /* lower-case: joins capitalised words */
	LX_MONTH = 1u << 11,
	LX_WEEKDAY = 1u << 12,
	LX_VERB = 1u << 13,      /* lower-case: typical word after a subject */
	LX_LOCPREP = 1u << 14,   /* lower-case: "in", "at", ... before a place */
	LX_YEARCTX = 1u << 15,   /* lower-case: word before a bare year */
	LX_CURRENCY = 1u << 16,  /* currency word or ISO code */
	LX_SCALE = 1u << 17,     /* million, bn, ... */
	LX_PERCENT = 1u << 18,   /* percent, pct */
	LX_RELHEAD = 1u << 19,   /* next, last, this, ... */
	LX_RELUNIT = 1u << 20,   /* week, month, year, ... */
	LX_DAYWORD = 1u << 21,   /* today, yesterday, ... */
	LX_AGOUNIT = 1u << 22,   /* days, weeks, ... before "ago" */
	LX_COUNTWORD = 1u << 23, /* a, two, few, several, ... before a unit */
	LX_PHRASE = 1u << 24,    /* first word of a multi-word entry */
	LX_MISCWORD = 1u << 25,  /* makes a run an event, law, prize: MISC */
	LX_LOCWORD = 1u << 26,   /* makes a run a place: LOC */
};

#define LX_LOC (LX_COUNTRY | LX_CITY | LX_REGION)
#define LX_NAME (LX_LOC | LX_DEMONYM | LX_GIVEN | LX_SURNAME | LX_ORG)
/* What a shouted word may take from its title-case form. */
#define LX_KNOWN                                                                                   \
	(LX_NAME | LX_TITLE | LX_ORGWORD | LX_MISCWORD | LX_LOCWORD | LX_MONTH | LX_WEEKDAY)
/* Longest key looked up, in bytes; longer tokens are never in a list. */
#define LEX_MAX_KEY 63
/* Longest run considered; longer runs are cut (nothing real is longer). */
#define RUN_MAX 24

/* Internal marks in a mention's type while the document is tagged. */
#define PROV_GUESS (1u << 8) /* rule 3f guess: may become PERSON */
#define PROV_DROP (1u << 9)  /* opening-position guess: dropped unless confirmed */
#define TYPE_MASK 0xffu

/* ------------------------------------------------------------------ */
/* Word lists. Duplicates across lists are fine: flags are OR-ed. */
/* clang-format off */

static const char *const countries[] = {
	"Afghanistan", "Albania", "Algeria", "Andorra", "Angola", "Antigua and Barbuda",
	"Argentina", "Armenia", "Australia", "Austria", "Azerbaijan", "Bahamas", "Bahrain",
	"Bangladesh", "Barbados", "Belarus", "Belgium", "Belize", "Benin", "Bhutan", "Bolivia",
	"Bosnia", "Bosnia and Herzegovina", "Botswana", "Brazil", "Brunei", "Bulgaria",
	"Burkina Faso", "Burundi", "Cabo Verde", "Cape Verde", "Cambodia", "Cameroon", "Canada",
	"Central African Republic", "Chad", "Chile", "China", "Colombia", "Comoros", "Congo",
	"Costa Rica", "Côte d'Ivoire", "Ivory Coast", "Croatia", "Cuba", "Cyprus", "Czechia",
	"Czech Republic", "Denmark", "Djibouti", "Dominica", "Dominican Republic", "DRC",
	"DR Congo", "Democratic Republic of Congo", "Ecuador", "Egypt", "El Salvador",
	"Equatorial Guinea", "Eritrea", "Estonia", "Eswatini", "Swaziland", "Ethiopia", "Fiji",
	"Finland", "France", "Gabon", "Gambia", "Georgia", "Germany", "Ghana", "Greece", "Grenada",
	"Guatemala", "Guinea", "Guinea-Bissau", "Guyana", "Haiti", "Honduras", "Hungary", "Iceland",
	"India", "Indonesia", "Iran", "Iraq", "Ireland", "Israel", "Italy", "Jamaica", "Japan",
	"Jordan", "Kazakhstan", "Kenya", "Kiribati", "Kuwait", "Kyrgyzstan", "Laos", "Latvia",
	"Lebanon", "Lesotho", "Liberia", "Libya", "Liechtenstein", "Lithuania", "Luxembourg",
	"Madagascar", "Malawi", "Malaysia", "Maldives", "Mali", "Malta", "Marshall Islands",
	"Mauritania", "Mauritius", "Mexico", "Micronesia", "Moldova", "Monaco", "Mongolia",
	"Montenegro", "Morocco", "Mozambique", "Myanmar", "Burma", "Namibia", "Nauru", "Nepal",
	"Netherlands", "Holland", "New Zealand", "Nicaragua", "Niger", "Nigeria", "North Korea",
	"North Macedonia", "Macedonia", "Norway", "Oman", "Pakistan", "Palau", "Palestine",
	"Panama", "Papua New Guinea", "Paraguay", "Peru", "Philippines", "Poland", "Portugal",
	"Qatar", "Romania", "Russia", "Russian Federation", "Rwanda", "Saint Lucia", "Samoa",
	"San Marino", "Saudi Arabia", "Senegal", "Serbia", "Seychelles", "Sierra Leone",
	"Singapore", "Slovakia", "Slovenia", "Solomon Islands", "Somalia", "South Africa",
	"South Korea", "South Sudan", "Spain", "Sri Lanka", "Sudan", "Suriname", "Sweden",
	"Switzerland", "Syria", "Tajikistan", "Tanzania", "Thailand", "Timor-Leste", "East Timor",
	"Togo", "Tonga", "Trinidad and Tobago", "Tunisia", "Turkey", "Türkiye", "Turkmenistan",
	"Tuvalu", "Uganda", "Ukraine", "United Arab Emirates", "UAE", "U.A.E.", "United Kingdom",
	"UK", "U.K.", "Britain", "Great Britain", "United States", "United States of America", "US",
	"U.S.", "USA", "U.S.A.", "America", "Uruguay", "Uzbekistan", "Vanuatu", "Vatican",
	"Venezuela", "Vietnam", "Yemen", "Zambia", "Zimbabwe", "Taiwan", "Kosovo", "Korea",
	"Soviet Union", "USSR", "PRC", "Yugoslavia", "Czechoslovakia", "Zaire",
};

static const char *const cities[] = {
	"Kyiv", "Kiev", "Moscow", "Washington", "Riyadh", "London", "Paris", "Berlin", "Rome",
	"Madrid", "Brussels", "Beijing", "Tokyo", "Seoul", "Pyongyang", "Delhi", "New Delhi",
	"Mumbai", "Kolkata", "Chennai", "Bangalore", "Bengaluru", "Islamabad", "Karachi", "Lahore",
	"Kabul", "Tehran", "Baghdad", "Damascus", "Beirut", "Amman", "Jerusalem", "Tel Aviv",
	"Cairo", "Alexandria", "Doha", "Dubai", "Abu Dhabi", "Ankara", "Istanbul", "Athens",
	"Warsaw", "Krakow", "Prague", "Vienna", "Budapest", "Bucharest", "Sofia", "Belgrade",
	"Zagreb", "Ljubljana", "Sarajevo", "Skopje", "Tirana", "Podgorica", "Pristina", "Minsk",
	"Vilnius", "Riga", "Tallinn", "Helsinki", "Stockholm", "Oslo", "Copenhagen", "Reykjavik",
	"Amsterdam", "Rotterdam", "Hague", "Lisbon", "Porto", "Dublin", "Edinburgh", "Glasgow",
	"Belfast", "Cardiff", "Manchester", "Birmingham", "Liverpool", "Leeds", "Oxford",
	"Cambridge", "Geneva", "Zurich", "Bern", "Basel", "Davos", "Milan", "Naples", "Turin",
	"Venice", "Florence", "Munich", "Frankfurt", "Hamburg", "Cologne", "Stuttgart", "Dresden",
	"Leipzig", "Barcelona", "Valencia", "Seville", "Marseille", "Lyon", "Nice", "Strasbourg",
	"Bordeaux", "Toulouse", "Antwerp", "New York", "New York City", "Los Angeles", "Chicago",
	"Houston", "Boston", "San Francisco", "Miami", "Seattle", "Atlanta", "Dallas", "Denver",
	"Philadelphia", "Detroit", "Phoenix", "Las Vegas", "San Diego", "Baltimore", "Pittsburgh",
	"Cleveland", "Minneapolis", "New Orleans", "Nashville", "Anchorage", "Honolulu",
	"Sacramento", "Austin", "Toronto", "Ottawa", "Montreal", "Vancouver", "Calgary",
	"Mexico City", "Havana", "Caracas", "Bogota", "Bogotá", "Lima", "Quito", "Santiago",
	"Buenos Aires", "Montevideo", "Asunción", "La Paz", "São Paulo", "Sao Paulo",
	"Rio de Janeiro", "Brasilia", "Brasília", "Sydney", "Melbourne", "Brisbane", "Perth",
	"Canberra", "Auckland", "Wellington", "Bangkok", "Hanoi", "Ho Chi Minh City", "Jakarta",
	"Manila", "Kuala Lumpur", "Taipei", "Shanghai", "Hong Kong", "Shenzhen", "Guangzhou",
	"Wuhan", "Chengdu", "Tianjin", "Osaka", "Kyoto", "Hiroshima", "Busan", "Dhaka", "Kathmandu",
	"Colombo", "Yangon", "Naypyidaw", "Phnom Penh", "Ulaanbaatar", "Tashkent", "Astana",
	"Almaty", "Bishkek", "Dushanbe", "Ashgabat", "Baku", "Tbilisi", "Yerevan", "Chisinau",
	"Nairobi", "Lagos", "Abuja", "Addis Ababa", "Khartoum", "Juba", "Johannesburg", "Cape Town",
	"Pretoria", "Durban", "Kinshasa", "Luanda", "Harare", "Lusaka", "Maputo", "Dar es Salaam",
	"Kampala", "Kigali", "Mogadishu", "Djibouti City", "Asmara", "Tripoli", "Benghazi", "Tunis",
	"Algiers", "Rabat", "Casablanca", "Dakar", "Accra", "Bamako", "Niamey", "Ouagadougou",
	"N'Djamena", "Sanaa", "Aden", "Hodeidah", "Muscat", "Manama", "Kuwait City", "Vatican City",
	"Jeddah", "Mecca", "Medina", "Gaza City", "Rafah", "Khan Younis", "Ramallah", "Hebron",
	"Jenin", "Nablus", "Haifa", "Aleppo", "Homs", "Idlib", "Latakia", "Mosul", "Erbil", "Basra",
	"Kirkuk", "Fallujah", "Kandahar", "Herat", "Odesa", "Odessa", "Kharkiv", "Kharkov", "Lviv",
	"Dnipro", "Mariupol", "Kherson", "Zaporizhzhia", "Bakhmut", "Avdiivka", "Pokrovsk", "Sumy",
	"Chernihiv", "Mykolaiv", "Poltava", "Vinnytsia", "Izium", "Bucha", "Irpin", "Kramatorsk",
	"Sloviansk", "Donetsk", "Luhansk", "Sevastopol", "Simferopol", "St. Petersburg",
	"Saint Petersburg", "Kursk", "Belgorod", "Bryansk", "Rostov", "Kaliningrad", "Novosibirsk",
	"Yekaterinburg", "Vladivostok", "Sochi", "Kazan", "Volgograd", "Grozny", "Murmansk",
	"Istanbul", "Izmir", "Antalya", "Tbilisi", "Gdansk", "Lublin", "Brussels", "Luxembourg",
	"Monaco", "Valletta", "Nicosia", "Singapore", "Macau", "Karachi", "Mumbai", "Kabul",
	"Brussels",
};

static const char *const regions[] = {
	"Europe", "Asia", "Africa", "North America", "South America", "Latin America",
	"Central America", "Oceania", "Antarctica", "Arctic", "Middle East", "Near East",
	"Far East", "Gaza", "Gaza Strip", "West Bank", "Golan Heights", "Golan", "Sinai", "Crimea",
	"Donbas", "Donbass", "Siberia", "Caucasus", "North Caucasus", "Balkans", "Baltics",
	"Scandinavia", "Eastern Europe", "Western Europe", "Central Europe", "Central Asia",
	"Southeast Asia", "South Asia", "East Asia", "Persian Gulf", "Gulf", "Red Sea", "Black Sea",
	"Baltic Sea", "North Sea", "Mediterranean", "Caribbean", "Pacific", "Atlantic",
	"Indo-Pacific", "Sahel", "Horn of Africa", "Kashmir", "Tibet", "Xinjiang", "Hong Kong",
	"Macau", "Puerto Rico", "Greenland", "Kurdistan", "Transnistria", "Abkhazia",
	"South Ossetia", "Catalonia", "Scotland", "Wales", "England", "Northern Ireland", "Bavaria",
	"Quebec", "Ontario", "Alberta", "British Columbia", "Darfur", "Tigray", "Chechnya",
	"Dagestan", "Ingushetia", "Punjab", "Bengal", "Flanders", "Wallonia", "Corsica", "Sicily",
	"Sardinia", "Tuscany", "Lombardy", "Andalusia", "Basque Country", "Patagonia", "Mindanao",
	"Aceh", "Borneo", "Sumatra", "Java", "Bali", "Okinawa", "Hokkaido", "Normandy", "Brittany",
	"Alsace", "Galicia", "Silesia", "Transylvania", "Galilee", "Negev", "Midwest",
	"New England", "Yukon", "Tasmania", "Queensland", "New South Wales", "Victoria Falls",
	"Himalayas", "Alps", "Andes", "Amazon Basin", "Sahara", "Nile", "Danube", "Euphrates",
	"Tigris", "Jordan Valley", "Rhine", "Dnipro River", "Volga", "Nagorno-Karabakh", "Karabakh",
	"Taiwan Strait", "South China Sea", "Silicon Valley", "Wall Street", "Capitol Hill",
	"Downing Street", "Zaporizhzhia", "Kherson", "Luhansk", "Donetsk", "Kursk", "Lebanon",
	"Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
	"Delaware", "Florida", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas",
	"Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota",
	"Mississippi", "Missouri", "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey",
	"New Mexico", "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon",
	"Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas",
	"Utah", "Vermont", "Virginia", "West Virginia", "Wisconsin", "Wyoming",
};

static const char *const demonyms[] = {
	"American", "Americans", "Russian", "Russians", "Ukrainian", "Ukrainians", "European",
	"Europeans", "French", "Turkish", "British", "German", "Germans", "Italian", "Italians",
	"Spanish", "Polish", "Chinese", "Japanese", "Korean", "North Korean", "South Korean",
	"Indian", "Indians", "Pakistani", "Iranian", "Iranians", "Iraqi", "Iraqis", "Syrian",
	"Syrians", "Israeli", "Israelis", "Palestinian", "Palestinians", "Saudi", "Saudis",
	"Emirati", "Qatari", "Egyptian", "Lebanese", "Jordanian", "Yemeni", "Afghan", "Afghans",
	"Turk", "Turks", "Greek", "Dutch", "Belgian", "Swiss", "Austrian", "Swedish", "Norwegian",
	"Danish", "Finnish", "Irish", "Scottish", "Welsh", "English", "Canadian", "Canadians",
	"Mexican", "Mexicans", "Brazilian", "Argentine", "Argentinian", "Chilean", "Colombian",
	"Venezuelan", "Cuban", "Peruvian", "Australian", "Australians", "New Zealander", "African",
	"Africans", "South African", "Nigerian", "Kenyan", "Ethiopian", "Sudanese", "Somali",
	"Libyan", "Tunisian", "Algerian", "Moroccan", "Belarusian", "Georgian", "Armenian",
	"Azerbaijani", "Azeri", "Kazakh", "Uzbek", "Hungarian", "Czech", "Slovak", "Romanian",
	"Bulgarian", "Serbian", "Serb", "Serbs", "Croatian", "Croat", "Bosnian", "Slovenian",
	"Albanian", "Macedonian", "Moldovan", "Lithuanian", "Latvian", "Estonian", "Portuguese",
	"Vietnamese", "Thai", "Indonesian", "Malaysian", "Filipino", "Singaporean", "Taiwanese",
	"Mongolian", "Bangladeshi", "Sri Lankan", "Nepalese", "Burmese", "Asian", "Asians", "Arab",
	"Arabs", "Latin American", "Western", "Westerners", "Soviet", "Kurdish", "Kurd", "Kurds",
	"Persian", "Jewish", "Jew", "Jews", "Muslim", "Muslims", "Christian", "Christians",
	"Catholic", "Catholics", "Protestant", "Orthodox", "Sunni", "Shiite", "Shia", "Hindu",
	"Hindus", "Buddhist", "Islamic", "Islamist", "Islamists", "Democrat", "Democrats",
	"Republican", "Republicans", "Scandinavian", "Nordic", "Baltic", "Balkan", "Crimean",
	"Chechen", "Caucasian", "Pashtun", "Uyghur", "Uighur", "Tamil", "Sikh", "Yazidi", "Alawite",
	"Druze", "Houthi", "Houthis", "Emiratis", "Bahraini", "Omani", "Kuwaiti",
};

static const char *const given_names[] = {
	"James", "John", "Robert", "Michael", "Mike", "William", "David", "Richard", "Joseph",
	"Thomas", "Charles", "Christopher", "Daniel", "Matthew", "Anthony", "Antony", "Mark",
	"Donald", "Steven", "Steve", "Paul", "Andrew", "Joshua", "Josh", "Kenneth", "Kevin",
	"Brian", "George", "Timothy", "Tim", "Ronald", "Ron", "Edward", "Jason", "Jeffrey", "Jeff",
	"Ryan", "Jacob", "Gary", "Nicholas", "Nick", "Eric", "Jonathan", "Stephen", "Larry",
	"Justin", "Scott", "Brandon", "Benjamin", "Samuel", "Sam", "Gregory", "Greg", "Alexander",
	"Alex", "Frank", "Patrick", "Raymond", "Jack", "Dennis", "Jerry", "Tyler", "Aaron", "Jose",
	"José", "Adam", "Nathan", "Henry", "Douglas", "Peter", "Pete", "Kyle", "Noah", "Ethan",
	"Jeremy", "Walter", "Keith", "Roger", "Terry", "Sean", "Gerald", "Carl", "Harold", "Dylan",
	"Arthur", "Lawrence", "Jesse", "Bryan", "Billy", "Bruce", "Gabriel", "Joe", "Logan", "Alan",
	"Juan", "Albert", "Wayne", "Vincent", "Bill", "Tom", "Jim", "Bob", "Ted", "Chuck", "Mitch",
	"Lindsey", "Bernie", "Gavin", "Wes", "Hakeem", "Kash", "Tulsi", "Kristi", "Karoline",
	"Elon", "Warren", "Jamie", "Jerome", "Lloyd", "Hunter", "Barack", "Hillary", "Kamala",
	"Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
	"Sarah", "Karen", "Lisa", "Nancy", "Betty", "Sandra", "Margaret", "Ashley", "Kimberly",
	"Emily", "Donna", "Michelle", "Carol", "Amanda", "Melissa", "Deborah", "Stephanie",
	"Rebecca", "Laura", "Helen", "Sharon", "Cynthia", "Kathleen", "Amy", "Angela", "Anna",
	"Ruth", "Brenda", "Pamela", "Nicole", "Katherine", "Kate", "Christine", "Samantha", "Janet",
	"Rachel", "Emma", "Maria", "Heather", "Diane", "Julie", "Joyce", "Victoria", "Kelly",
	"Christina", "Joan", "Lauren", "Judith", "Olivia", "Martha", "Megan", "Andrea", "Hannah",
	"Jacqueline", "Ann", "Anne", "Jean", "Alice", "Kathryn", "Kathy", "Gloria", "Teresa",
	"Theresa", "Sara", "Julia", "Marie", "Grace", "Judy", "Denise", "Diana", "Natalie",
	"Sophia", "Sophie", "Jane", "Liz", "Gretchen", "Alexandria", "Ilhan", "Nikki", "Marjorie",
	"Kristalina", "Ngozi", "Janet", "Kemi", "Rishi", "Boris", "Keir", "Nigel", "Yvette", "Ed",
	"Jeremy", "Gordon", "Tony", "Winston", "Olaf", "Friedrich", "Annalena", "Markus",
	"Frank-Walter", "Giorgia", "Matteo", "Mario", "Marco", "Sergio", "Pedro", "Emmanuel",
	"Marine", "François", "Francois", "Jean-Luc", "Pierre", "Jacques", "Nicolas", "Edouard",
	"Édouard", "Gabriel", "Ursula", "Josep", "Kaja", "Antonio", "António", "Roberta", "Jens",
	"Viktor", "Andrzej", "Radosław", "Radoslaw", "Mateusz", "Robert", "Petr", "Ivan", "Igor",
	"Sergei", "Sergey", "Vladimir", "Dmitry", "Dmitri", "Dmytro", "Alexei", "Alexey", "Aleksei",
	"Aleksandr", "Oleksandr", "Oleksiy", "Mikhail", "Nikolai", "Yuri", "Yury", "Andrei",
	"Andriy", "Volodymyr", "Petro", "Vitali", "Vitaliy", "Vitaly", "Yulia", "Olena", "Tatiana",
	"Natalia", "Anatoly", "Gennady", "Valery", "Valerii", "Yevgeny", "Yevgeniy", "Pavel",
	"Maxim", "Ramzan", "Kirill", "Denys", "Rustem", "Andrii", "Ihor", "Oleh", "Kyrylo",
	"Mykhailo", "Recep", "Ahmet", "Mehmet", "Mustafa", "Hakan", "Kemal", "Binali", "Benjamin",
	"Benny", "Yair", "Isaac", "Yoav", "Naftali", "Ehud", "Gideon", "Mahmoud", "Mohammed",
	"Mohammad", "Muhammad", "Mohamed", "Ali", "Ahmed", "Ahmad", "Hassan", "Hussein", "Omar",
	"Abdullah", "Khalid", "Faisal", "Salman", "Abdel", "Abdul", "Bashar", "Ebrahim", "Masoud",
	"Hamad", "Tamim", "Yahya", "Ismail", "Ayman", "Osama", "Abu", "Hosni", "Anwar", "Nouri",
	"Narendra", "Rahul", "Shehbaz", "Imran", "Nawaz", "Asim", "Fumio", "Shinzo", "Shigeru",
	"Yoon", "Moon", "Kim", "Justin", "Jair", "Luiz", "Javier", "Gustavo", "Andrés", "Andres",
	"Claudia", "Cyril", "Jacob", "Nelson", "Abiy", "Uhuru", "Bola", "Muhammadu", "Jeff",
	"Sundar", "Satya", "Jensen", "Sam", "Sergey", "Mark", "Jamie", "Wang", "Li", "Ferdinand",
	"Joko", "Prabowo", "Anwar", "Lee", "Chris", "Matt", "Dan", "Ben", "Tom", "Harry", "Meghan",
	"Camilla", "Kyle", "Carlos", "Luis", "Miguel", "Jorge", "Francisco", "Manuel", "Rafael",
	"Fernando", "Alejandro", "Diego", "Ricardo", "Hans", "Klaus", "Wolfgang", "Jürgen",
	"Helmut", "Angela", "Lars", "Mette", "Sanna", "Ulf", "Erik", "Magnus", "Jonas", "Ola",
	"Kristersson", "Ivo", "Milos", "Aleksandar", "Zoran", "Maia", "Irakli", "Nikol", "Ilham",
	"Kassym-Jomart", "Shavkat", "Emomali", "Alexander", "Svetlana", "Leo", "Francis",
	"Benedict",
};

/* Well-known surnames that appear alone in news copy. */
static const char *const surnames[] = {
	"Trump", "Biden", "Obama", "Clinton", "Bush", "Putin", "Zelensky", "Zelenskyy", "Zelenskiy",
	"Macron", "Starmer", "Scholz", "Merz", "Merkel", "Erdogan", "Erdoğan", "Netanyahu", "Modi",
	"Xi", "Lavrov", "Rubio", "Vance", "Musk", "Sunak", "Meloni", "Orbán", "Orban", "Kishida",
	"Ishiba", "Lula", "Milei", "Trudeau", "Carney", "Albanese", "Ramaphosa", "Khamenei",
	"Pezeshkian", "Assad", "Guterres", "Stoltenberg", "Rutte", "Lagarde", "Powell", "Blinken",
	"Hegseth", "Peskov", "Shoigu", "Medvedev", "Kuleba", "Sybiha", "Yermak", "Tusk", "Duda",
	"Fico", "Lukashenko", "Navalny", "Sinwar", "Haniyeh", "Nasrallah", "Pelosi", "McConnell",
	"Schumer", "Harris", "Walz", "DeSantis", "Newsom", "Kennedy", "Johnson", "Sánchez",
	"Sanchez", "von der Leyen", "Kallas", "Costa", "Sikorski", "Umerov", "Budanov", "Syrskyi",
	"Gerasimov", "Prigozhin", "Kadyrov", "Pompeo", "Kushner", "Vucic", "Vučić", "Aliyev",
	"Pashinyan", "Tokayev", "Mirziyoyev", "Sisi", "el-Sisi", "Abbas", "Sharif", "Khan",
	"Widodo", "Marcos", "Jinping",
};

/* Titles and roles, stripped from a person's mention. */
static const char *const titles[] = {
	"President", "Vice President", "President-elect", "Prime Minister", "Minister",
	"Foreign Minister", "Defence Minister", "Defense Minister", "Finance Minister",
	"Interior Minister", "Economy Minister", "Energy Minister", "Health Minister",
	"Justice Minister", "Trade Minister", "Foreign Affairs Minister", "Secretary",
	"Secretary of State", "Secretary of Defense", "Secretary of Defence",
	"Secretary of the Treasury", "Foreign Secretary", "Home Secretary", "Defence Secretary",
	"Defense Secretary", "Treasury Secretary", "Press Secretary", "Secretary General",
	"Secretary-General", "National Security Adviser", "National Security Advisor",
	"Security Adviser", "Deputy", "Vice", "Acting", "Interim", "Former", "Chancellor",
	"Senator", "Sen.", "Rep.", "Representative", "Congressman", "Congresswoman", "Gov.",
	"Governor", "Mayor", "King", "Queen", "Prince", "Princess", "Crown Prince", "Pope",
	"Emperor", "Sheikh", "Emir", "Sultan", "Gen.", "General", "Col.", "Colonel", "Lt.",
	"Lieutenant", "Lt. Gen.", "Capt.", "Captain", "Maj.", "Major", "Sgt.", "Sergeant", "Adm.",
	"Admiral", "Commander", "Marshal", "Field Marshal", "PM", "Mr.", "Mrs.", "Ms.", "Mr", "Mrs",
	"Ms", "Miss", "Dr.", "Dr", "Prof.", "Professor", "Judge", "Justice", "Chief Justice",
	"Ambassador", "Envoy", "Special Envoy", "Special Representative", "Chairman", "Chairwoman",
	"Chair", "Chief Executive", "Chief Executive Officer", "Chief of Staff", "CEO", "CFO",
	"COO", "Director", "Director General", "Director-General", "Spokesman", "Spokeswoman",
	"Spokesperson", "Adviser", "Advisor", "Senior Adviser", "Premier", "Speaker",
	"House Speaker", "Leader", "Majority Leader", "Minority Leader", "Supreme Leader",
	"Commissioner", "High Representative", "Attorney General", "Sir", "Dame", "Lord", "Lady",
	"Baroness", "Rev.", "Reverend", "Father", "Bishop", "Archbishop", "Cardinal", "Rabbi",
	"Imam", "Ayatollah", "Lawmaker", "Senior", "Chief", "Head", "Foreign Ministry Spokesperson",
	"Kremlin Spokesman", "Deputy Prime Minister", "First Minister", "Vice Chancellor",
	"Vice Premier",
};

/* Words that make a run an organisation. */
static const char *const org_words[] = {
	"Department", "Ministry", "Council", "Committee", "Commission", "Agency", "Bank",
	"University", "College", "School", "Academy", "Party", "Inc.", "Inc", "Ltd.", "Ltd",
	"Corp.", "Corp", "Corporation", "Co.", "Company", "Group", "Association", "Union",
	"Institute", "Court", "Parliament", "Congress", "Senate", "Assembly", "Army", "Navy",
	"Police", "Federation", "Foundation", "Times", "News", "Post", "Journal", "Herald",
	"Tribune", "Telegraph", "Gazette", "Press", "Office", "Bureau", "Service", "Services",
	"Authority", "Organisation", "Organization", "Fund", "Forces", "Force", "Guard", "Corps",
	"Motors", "Airlines", "Airways", "Holdings", "Systems", "Technologies", "Industries",
	"Media", "Network", "Broadcasting", "Television", "Radio", "Club", "League", "Society",
	"Church", "Hospital", "Board", "Cabinet", "Administration", "Alliance", "Coalition",
	"Movement", "Front", "Brigade", "Battalion", "Command", "Secretariat", "Tribunal",
	"Reserve", "Exchange", "Trust", "Laboratory", "Labs", "Studios", "Chamber", "Caucus",
	"Council", "Consortium", "Partners", "Capital", "Securities", "Bancorp", "Bundestag",
	"Duma", "Knesset", "Cortes", "Embassy", "Consulate", "Mission", "Directorate",
	"Inspectorate", "Regiment", "Division", "Fleet", "Guards", "Program", "Programme",
	"Initiative", "City", "United", "Rovers", "Athletic", "FC", "Air",
};

/* Organisations known by name or acronym. */
static const char *const orgs[] = {
	"NATO", "UN", "U.N.", "EU", "E.U.", "FBI", "CIA", "NSA", "IMF", "WHO", "WTO", "OPEC",
	"OPEC+", "BBC", "CNN", "NPR", "AP", "AFP", "Reuters", "Bloomberg", "NBC", "CBS", "ABC",
	"MSNBC", "Fox News", "Sky News", "Al Jazeera", "TASS", "Tass", "Interfax", "RIA", "Xinhua",
	"ECB", "Fed", "Federal Reserve", "SEC", "FDA", "CDC", "NASA", "UNESCO", "UNICEF", "UNHCR",
	"UNRWA", "IAEA", "ICC", "ICJ", "OSCE", "ASEAN", "G7", "G20", "G-7", "G-20", "BRICS", "AU",
	"OECD", "WFP", "NHS", "IRS", "DOJ", "DHS", "DOD", "EPA", "FCC", "FTC", "GOP", "ANC", "PLO",
	"IDF", "IRGC", "ISIS", "ISIL", "Hamas", "Hezbollah", "Taliban", "Kremlin", "Pentagon",
	"White House", "Congress", "Senate", "Parliament", "Bundestag", "Duma", "Knesset",
	"Politburo", "Interpol", "Europol", "Frontex", "Gazprom", "Rosneft", "Google", "Apple",
	"Microsoft", "Amazon", "Meta", "Tesla", "Nvidia", "OpenAI", "Boeing", "Airbus", "Wagner",
	"European Union", "United Nations", "Security Council", "World Bank", "Red Cross",
	"Al-Qaeda", "Al Qaeda", "Islamic State", "Labour", "Conservatives", "Tories", "Bundeswehr",
	"Mossad", "FSB", "KGB", "GRU", "SBU", "MI6", "MI5", "NYT", "WSJ", "Politico", "Axios",
	"Kyodo", "Yonhap", "Ukrinform", "RT", "Sputnik", "Facebook", "Twitter", "Instagram",
	"TikTok", "YouTube", "X Corp", "Samsung", "Toyota", "Volkswagen", "Shell", "BP", "Aramco",
	"Huawei", "Alibaba", "Tencent", "JPMorgan", "Goldman Sachs", "Morgan Stanley", "BlackRock",
	"Pfizer", "Moderna", "SpaceX", "Starlink", "Anthropic", "Nasdaq", "Europol", "Eurostat",
	"Euronews", "Treasury",
};

/* Lower-case words that are not names when capitalised. */
static const char *const common_words[] = {
	"a", "an", "the", "this", "that", "these", "those", "some", "any", "each", "every", "all",
	"both", "either", "neither", "no", "none", "many", "much", "more", "most", "few", "several",
	"such", "other", "another", "own", "same", "i", "me", "my", "mine", "myself", "you", "your",
	"yours", "yourself", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it",
	"its", "itself", "we", "us", "our", "ours", "ourselves", "they", "them", "their", "theirs",
	"themselves", "who", "whom", "whose", "which", "what", "whatever", "whoever", "whichever",
	"one", "someone", "somebody", "something", "anyone", "anybody", "anything", "everyone",
	"everybody", "everything", "nobody", "nothing", "in", "on", "at", "by", "for", "with",
	"about", "against", "between", "into", "through", "during", "before", "after", "above",
	"below", "to", "from", "up", "down", "of", "off", "over", "under", "again", "further",
	"then", "once", "here", "there", "when", "where", "why", "how", "and", "but", "or", "nor",
	"so", "yet", "if", "because", "as", "until", "while", "although", "though", "since",
	"unless", "whether", "despite", "amid", "among", "amongst", "around", "across", "along",
	"beyond", "within", "without", "toward", "towards", "upon", "via", "per", "near", "inside",
	"outside", "onto", "throughout", "except", "like", "unlike", "than", "plus", "however",
	"meanwhile", "moreover", "furthermore", "nevertheless", "nonetheless", "therefore", "thus",
	"hence", "instead", "also", "still", "already", "even", "just", "only", "now", "later",
	"earlier", "soon", "recently", "currently", "previously", "finally", "first", "second",
	"third", "last", "next", "perhaps", "maybe", "indeed", "certainly", "clearly", "obviously",
	"ultimately", "eventually", "additionally", "similarly", "likewise", "otherwise",
	"accordingly", "consequently", "subsequently", "overall", "initially", "notably",
	"importantly", "interestingly", "specifically", "particularly", "especially", "generally",
	"typically", "usually", "often", "sometimes", "always", "never", "ever", "yes", "not",
	"very", "too", "well", "back", "away", "together", "elsewhere", "anyway", "besides",
	"rather", "quite", "almost", "nearly", "simply", "really", "actually", "apparently",
	"reportedly", "allegedly", "separately", "officially", "following", "according", "asked",
	"speaking", "citing", "including", "regarding", "concerning", "given", "based", "faced",
	"armed", "compared", "considering", "facing", "having", "being", "seeking", "noting",
	"adding", "responding", "is", "are", "was", "were", "be", "been", "am", "have", "has",
	"had", "do", "does", "did", "will", "would", "shall", "should", "can", "could", "may",
	"might", "must", "said", "says", "say", "told", "let", "make", "made", "get", "got", "go",
	"went", "take", "took", "see", "saw", "come", "came", "know", "think", "want", "need",
	"please", "thank", "thanks", "hello", "oh", "okay", "ok", "officials", "analysts",
	"experts", "critics", "sources", "residents", "authorities", "supporters", "protesters",
	"researchers", "scientists", "witnesses", "observers", "diplomats", "citizens", "voters",
	"children", "women", "men", "people", "leaders", "lawmakers", "investors", "prices",
	"shares", "sales", "markets", "stocks", "data", "reports", "figures", "results", "talks",
	"negotiations", "efforts", "plans", "concerns", "questions", "tensions", "fighting",
	"attacks", "troops", "forces", "negotiators", "delegations", "while", "whereas", "although",
	"once", "today", "tonight", "yesterday", "tomorrow", "morning", "afternoon", "evening",
	"night", "week", "weekend", "month", "year", "day", "time", "new", "old", "more", "less",
	"least", "best", "worst", "better", "worse", "big", "small", "great", "good", "bad", "high",
	"low", "early", "late", "recent", "former", "current", "future", "past", "ago", "why",
	"what", "where", "breaking", "update", "updated", "exclusive", "analysis", "opinion",
	"editorial", "photo", "video", "watch", "read", "listen", "related", "source", "sources",
	"note", "ai", "tv", "gdp", "ceo", "pm", "am", "ok", "vs", "etc", "mr", "ms", "mrs", "dr",
	"some", "yet", "still", "two", "three", "four", "five", "six", "seven", "eight", "nine",
	"ten", "hundreds", "thousands", "millions", "dozens", "here's", "there's", "it's", "let's",
	"that's", "what's", "we're", "they're", "i'm", "don't", "can't", "won't", "isn't", "no-one",
	"upon", "amid", "among", "whilst", "ahead", "behind", "beside", "unless", "whenever",
	"wherever", "meanwhile", "nor", "next", "last", "every", "earlier", "later", "afterwards",
	"hours", "days", "weeks", "months", "years", "gmt", "utc", "est", "edt", "bst", "cet",
};

static const char *const connectors[] = {
	"of", "de", "van", "von", "der", "den", "bin", "ibn", "bint", "al", "da", "del", "della",
	"di", "du", "dos", "das", "la", "&",
};

/* Words that make a run MISC: events, prizes, treaties, laws. */
static const char *const misc_words[] = {
	"Cup", "Open", "Championship", "Championships", "Games", "Olympics", "Olympic",
	"Paralympics", "Series", "Tour", "Prize", "Award", "Awards", "War", "Festival", "Treaty",
	"Accord", "Accords", "Agreement", "Act", "Convention", "Protocol", "Declaration",
	"Doctrine", "Plan", "Marathon", "Grand Prix", "Trophy", "Summit", "Conference",
	"Revolution", "Expo", "Biennale", "Oscars", "Grammys", "Super Bowl", "Eurovision",
};

/* Words that make a run a place. */
static const char *const loc_words[] = {
	"Palace", "Square", "Street", "Avenue", "Road", "Airport", "Bridge", "Tower", "Stadium",
	"Island", "Islands", "Mountain", "Mountains", "River", "Lake", "Valley", "Bay", "Ocean",
	"Strait", "Peninsula", "Province", "Region", "County", "District", "Oblast", "Krai",
	"Canal", "Desert", "Park", "Beach", "Coast", "Port", "Harbour", "Harbor", "Plaza",
};

static const char *const months[] = {
	"January", "February", "March", "April", "May", "June", "July", "August", "September",
	"October", "November", "December", "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.",
	"Sep.", "Sept.", "Oct.", "Nov.", "Dec.", "Feb", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
};

static const char *const weekdays[] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

static const char *const verbs[] = {
	"said", "says", "told", "added", "noted", "stated", "insisted", "declared", "confirmed",
	"announced", "argued", "warned", "urged", "claimed", "explained", "wrote", "asked",
	"replied", "responded", "acknowledged", "admitted", "emphasized", "emphasised", "stressed",
	"suggested", "indicated", "revealed", "reported", "tweeted", "posted", "met", "visited",
	"spoke", "called", "is", "was", "has", "had", "will", "would", "could", "should", "can",
	"may", "might", "must", "did", "does", "also", "plans", "wants", "thinks", "believes",
	"hopes", "expects", "remains", "became", "made", "took", "gave", "told", "met", "spoke",
	"sought", "led", "won", "lost", "ran", "went", "came", "saw", "knew", "left", "held",
	"kept", "got", "put", "set", "sent", "faces", "faced", "denies", "denied", "signed",
	"praised", "criticised", "criticized", "accused", "rejected", "welcomed", "vowed",
	"pledged", "promised", "threatened", "cautioned", "predicted", "proposed", "demanded",
	"agreed", "refused", "appeared", "seemed", "continued", "began", "tells", "adds", "notes",
	"writes", "argues", "warns", "insists", "announces", "declares", "confirms", "urges",
	"claims", "explains", "later", "then", "now", "still", "never", "already", "reportedly",
};

static const char *const loc_preps[] = {
	"in", "at", "from", "to", "into", "near", "across", "toward", "towards", "outside",
	"inside", "throughout", "via",
};

static const char *const year_ctx[] = {
	"in", "since", "by", "until", "till", "from", "of", "before", "after", "during", "through",
	"between", "and", "to", "early", "late", "mid", "its", "the", "their", "his", "her", "our",
	"this", "that", "year", "fiscal", "around", "circa", "spring", "summer", "autumn", "fall",
	"winter", "in-", "election", "end", "beginning", "start",
};

static const char *const currencies[] = {
	"dollar", "dollars", "euro", "euros", "pound", "pounds", "sterling", "yen", "yuan",
	"renminbi", "ruble", "rubles", "rouble", "roubles", "rupee", "rupees", "franc", "francs",
	"hryvnia", "hryvnias", "lira", "liras", "riyal", "riyals", "dirham", "dirhams", "shekel",
	"shekels", "won", "peso", "pesos", "rand", "real", "reais", "cents", "USD", "EUR", "GBP",
	"JPY", "CNY", "RUB", "INR", "CHF", "UAH", "TRY", "SAR", "AED",
};

static const char *const scales[] = {
	"million", "billion", "trillion", "thousand", "bn", "m", "mn", "mln", "k", "tn", "b",
};

static const char *const percent_words[] = {
	"percent", "pct", "percentage",
};

static const char *const rel_heads[] = {
	"next", "last", "this", "coming", "past", "previous",
};

static const char *const rel_units[] = {
	"week", "weeks", "month", "months", "year", "years", "weekend", "decade", "century", "days",
	"spring", "summer", "autumn", "fall", "winter", "quarter", "morning", "afternoon",
	"evening", "night",
};

static const char *const day_words[] = {
	"today", "yesterday", "tomorrow", "tonight",
};

static const char *const ago_units[] = {
	"day", "days", "week", "weeks", "month", "months", "year", "years", "decade", "decades",
	"hour", "hours", "minutes",
};

static const char *const count_words[] = {
	"a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
	"eleven", "twelve", "few", "several", "many", "some", "couple",
};

#define LIST(a, f) {a, sizeof(a) / sizeof((a)[0]), f}

static const struct lex_list {
	const char *const *words;
	size_t n;
	uint32_t flags;
} lex_lists[] = {
	LIST(countries, LX_COUNTRY),      LIST(cities, LX_CITY),
	LIST(regions, LX_REGION),         LIST(demonyms, LX_DEMONYM),
	LIST(given_names, LX_GIVEN),      LIST(surnames, LX_SURNAME),
	LIST(titles, LX_TITLE),           LIST(org_words, LX_ORGWORD),
	LIST(orgs, LX_ORG),               LIST(common_words, LX_COMMON),
	LIST(connectors, LX_CONNECTOR),   LIST(months, LX_MONTH),
	LIST(weekdays, LX_WEEKDAY),       LIST(verbs, LX_VERB),
	LIST(loc_preps, LX_LOCPREP),      LIST(year_ctx, LX_YEARCTX),
	LIST(currencies, LX_CURRENCY),    LIST(scales, LX_SCALE),
	LIST(percent_words, LX_PERCENT),  LIST(rel_heads, LX_RELHEAD),
	LIST(rel_units, LX_RELUNIT),      LIST(day_words, LX_DAYWORD),
	LIST(ago_units, LX_AGOUNIT),      LIST(count_words, LX_COUNTWORD),
	LIST(misc_words, LX_MISCWORD),    LIST(loc_words, LX_LOCWORD),
};
/* clang-format on */

/* ------------------------------------------------------------------ */
/* The lexicon: one hash table over all lists. */

struct lex_slot {
	const char *key; /* points into the static lists; not NUL-terminated at len */
	uint32_t len;
	uint32_t hash;
	uint32_t flags; /* 0: empty slot */
};

struct tokinfo {
	uint32_t exact; /* flags of the token as written */
	uint32_t lower; /* flags of its ASCII-lower-cased form */
};

struct rules {
	struct ner_extractor base; /* first: the interface's header */
	struct lex_slot *slots;
	uint32_t mask;
	uint32_t max_phrase; /* words in the longest multi-word entry */
	struct tokinfo *ti;  /* per token of the current doc; grows only */
	size_t cap_ti;
};

static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static void lex_add(struct rules *r, const char *key, size_t len, uint32_t flags)
{
	uint32_t h = fnv1a(key, len);
	for (uint32_t i = h & r->mask;; i = (i + 1) & r->mask) {
		struct lex_slot *s = &r->slots[i];
		if (!s->flags) {
			s->key = key;
			s->len = (uint32_t)len;
			s->hash = h;
			s->flags = flags;
			return;
		}
		if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0) {
			s->flags |= flags;
			return;
		}
	}
}

static uint32_t lex_get(const struct rules *r, const char *key, size_t len)
{
	if (len == 0 || len > LEX_MAX_KEY)
		return 0;
	uint32_t h = fnv1a(key, len);
	for (uint32_t i = h & r->mask;; i = (i + 1) & r->mask) {
		const struct lex_slot *s = &r->slots[i];
		if (!s->flags)
			return 0;
		if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
			return s->flags;
	}
}

static int lex_build(struct rules *r)
{
	size_t keys = 0;
	for (size_t l = 0; l < sizeof lex_lists / sizeof lex_lists[0]; l++)
		for (size_t i = 0; i < lex_lists[l].n; i++)
			keys += strchr(lex_lists[l].words[i], ' ') ? 2 : 1; /* + phrase head */
	/* Keep the load at or below one half: 8192 slots for ~3000 keys. */
	size_t size = 64;
	while (size < 2 * keys)
		size *= 2;
	r->slots = calloc(size, sizeof *r->slots);
	if (!r->slots)
		return -ENOMEM;
	r->mask = (uint32_t)(size - 1);
	r->max_phrase = 1;
	for (size_t l = 0; l < sizeof lex_lists / sizeof lex_lists[0]; l++) {
		const struct lex_list *ll = &lex_lists[l];
		for (size_t i = 0; i < ll->n; i++) {
			const char *w = ll->words[i];
			size_t len = strlen(w);
			if (len > LEX_MAX_KEY)
				continue;
			lex_add(r, w, len, ll->flags);
			const char *sp = memchr(w, ' ', len);
			if (!sp)
				continue;
			lex_add(r, w, (size_t)(sp - w), LX_PHRASE);
			uint32_t words = 1;
			for (size_t k = 0; k < len; k++)
				words += w[k] == ' ';
			if (words > r->max_phrase)
				r->max_phrase = words;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Token helpers. */

/* Shouted words ("LONDON", "NEW YORK" in datelines and headlines) are
 * looked up in title case: copy s[0..n) so into dst and return n, or 0
 * when s is not 3 or more ASCII capitals (acronyms such as "UK" and dotted
 * ones such as "U.S." are listed as written). */
static size_t shout_fold(const char *s, size_t n, char *dst)
{
	if (n < 3 || n > LEX_MAX_KEY)
		return 0;
	for (size_t k = 0; k < n; k++) {
		if (s[k] == '-' && k > 0)
			dst[k] = '-';
		else if (s[k] >= 'A' && s[k] <= 'Z')
			dst[k] = (char)(k == 0 || s[k - 1] == '-' ? s[k] : s[k] - 'A' + 'a');
		else
			return 0;
	}
	return n;
}

struct tagctx {
	const struct rules *r;
	const struct seg_doc *d;
	const struct tokinfo *ti;
	struct ner_mentions *out;
	uint32_t sent;   /* index of the sentence being tagged */
	uint32_t sb, se; /* its tokens [sb, se) */
	int err;
};

static const char *tok_text(const struct tagctx *c, uint32_t i)
{
	return c->d->text + c->d->toks[i].start;
}

static bool tok_is(const struct tagctx *c, uint32_t i, const char *s)
{
	size_t n = strlen(s);
	return i < c->se && c->d->toks[i].len == n && memcmp(tok_text(c, i), s, n) == 0;
}

static bool is_lower_word(const struct tagctx *c, uint32_t i)
{
	const struct seg_token *t = &c->d->toks[i];
	return t->kind == SEG_TOK_WORD && !(t->flags & (SEG_TF_CAP | SEG_TF_UPPER | SEG_TF_DIGIT));
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Value of a token made of 1-9 ASCII digits only (plus an ordinal suffix
 * when ordinal is true); -1 otherwise. */
static long tok_uint(const struct tagctx *c, uint32_t i, bool ordinal)
{
	const struct seg_token *t = &c->d->toks[i];
	const char *s = tok_text(c, i);
	size_t n = t->len, k = 0;
	long v = 0;
	if (t->kind != SEG_TOK_NUMBER && !(ordinal && t->kind == SEG_TOK_WORD))
		return -1;
	while (k < n && k < 9 && is_digit(s[k]))
		v = v * 10 + (s[k++] - '0');
	if (k == 0)
		return -1;
	if (k == n)
		return v;
	if (ordinal && n - k == 2) {
		const char *suf = s + k;
		if (!memcmp(suf, "st", 2) || !memcmp(suf, "nd", 2) || !memcmp(suf, "rd", 2) ||
		    !memcmp(suf, "th", 2))
			return v;
	}
	return -1;
}

static bool is_day(const struct tagctx *c, uint32_t i)
{
	long v = i < c->se ? tok_uint(c, i, true) : -1;
	return v >= 1 && v <= 31 && c->d->toks[i].len <= 4;
}

static bool is_year(const struct tagctx *c, uint32_t i)
{
	if (i >= c->se || c->d->toks[i].kind != SEG_TOK_NUMBER || c->d->toks[i].len != 4)
		return false;
	long v = tok_uint(c, i, false);
	return v >= 1900 && v <= 2099;
}

/* A number, or a word that starts with a digit ("4bn", "1.5m"). */
static bool is_amount(const struct tagctx *c, uint32_t i)
{
	if (i >= c->se)
		return false;
	const struct seg_token *t = &c->d->toks[i];
	return t->kind == SEG_TOK_NUMBER || (t->kind == SEG_TOK_WORD && is_digit(*tok_text(c, i)));
}

static bool is_currency_sign(const struct tagctx *c, uint32_t i)
{
	if (i >= c->se || c->d->toks[i].kind != SEG_TOK_SYMBOL)
		return false;
	return tok_is(c, i, "$") || tok_is(c, i, "€") || tok_is(c, i, "£") || tok_is(c, i, "¥") ||
	       tok_is(c, i, "₹");
}

static uint32_t lower_flags(const struct tagctx *c, uint32_t i)
{
	return i < c->se ? c->ti[i].lower : 0;
}

static uint32_t exact_flags(const struct tagctx *c, uint32_t i)
{
	return i < c->se ? c->ti[i].exact : 0;
}

static bool is_connector(const struct tagctx *c, uint32_t i)
{
	const struct seg_token *t = &c->d->toks[i];
	if (t->flags & (SEG_TF_CAP | SEG_TF_UPPER))
		return false;
	return (c->ti[i].exact & LX_CONNECTOR) != 0;
}

static bool is_of(const struct tagctx *c, uint32_t i)
{
	return tok_is(c, i, "of");
}

static bool ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* Longest lexicon entry that starts at token p and ends by b: its length in
 * tokens (1 when no multi-word entry matches) and its flags. */
static uint32_t piece_at(const struct tagctx *c, uint32_t p, uint32_t b, uint32_t *flags)
{
	*flags = c->ti[p].exact & ~LX_PHRASE;
	if (!(c->ti[p].exact & LX_PHRASE))
		return 1;
	uint32_t kmax = b - p < c->r->max_phrase ? b - p : c->r->max_phrase;
	for (uint32_t k = kmax; k >= 2; k--) {
		char key[LEX_MAX_KEY + 1];
		size_t n = 0;
		bool fits = true;
		for (uint32_t t = p; t < p + k && fits; t++) {
			const struct seg_token *tk = &c->d->toks[t];
			if (n + tk->len + 1 > LEX_MAX_KEY) {
				fits = false;
				break;
			}
			if (t > p)
				key[n++] = ' ';
			const char *w = c->d->text + tk->start;
			if (!(tk->flags & SEG_TF_UPPER) || !shout_fold(w, tk->len, key + n))
				memcpy(key + n, w, tk->len);
			n += tk->len;
		}
		uint32_t f = fits ? lex_get(c->r, key, n) & ~LX_PHRASE : 0;
		if (f) {
			*flags = f;
			return k;
		}
	}
	return 1;
}

/* A capitalised word that may be part of a name (rule 2). */
static bool is_capword(const struct tagctx *c, uint32_t i)
{
	const struct seg_token *t = &c->d->toks[i];
	uint32_t x = c->ti[i].exact;
	if (t->kind != SEG_TOK_WORD || !(t->flags & (SEG_TF_CAP | SEG_TF_UPPER)))
		return false;
	if (is_digit(*tok_text(c, i)))
		return false;
	if (x & (LX_MONTH | LX_WEEKDAY))
		return false;
	if ((c->ti[i].lower & LX_COMMON) && !(x & (LX_KNOWN & ~(LX_MONTH | LX_WEEKDAY)))) {
		/* "New" is common, "New York" is not. */
		uint32_t f;
		if (!(x & LX_PHRASE) || piece_at(c, i, c->se, &f) < 2)
			return false;
	}
	if ((t->flags & SEG_TF_HYPHEN) && !(x & LX_NAME)) {
		/* "Russian-occupied", "Kremlin-backed": an adjective, not a name. */
		const char *s = tok_text(c, i);
		const char *h = NULL;
		for (const char *p = s; p < s + t->len; p++)
			if (*p == '-')
				h = p;
		if (h && h + 1 < s + t->len && h[1] >= 'a' && h[1] <= 'z')
			return false;
	}
	return true;
}

/* No word between the sentence start (or an opening quote, or a colon) and
 * token i: a capital there proves nothing. */
static bool is_opening(const struct tagctx *c, uint32_t i)
{
	for (uint32_t j = i; j > c->sb; j--) {
		const struct seg_token *p = &c->d->toks[j - 1];
		if (p->kind == SEG_TOK_WORD || p->kind == SEG_TOK_NUMBER)
			return false;
		if (p->kind == SEG_TOK_QUOTE && (p->flags & SEG_TF_OPEN))
			return true;
		if (p->kind == SEG_TOK_PUNCT && p->len == 1 && tok_text(c, j - 1)[0] == ':')
			return true;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Emitting mentions. */

static void emit(struct tagctx *c, uint32_t a, uint32_t b, uint32_t type)
{
	struct ner_mentions *out = c->out;
	if (c->err || a >= b)
		return;
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 64;
		struct ner_mention *v = realloc(out->v, cap * sizeof *v);
		if (!v) {
			c->err = -ENOMEM;
			return;
		}
		out->v = v;
		out->cap = cap;
	}
	const struct seg_token *ta = &c->d->toks[a], *tb = &c->d->toks[b - 1];
	struct ner_mention *m = &out->v[out->n++];
	m->tok_begin = a;
	m->tok_end = b;
	m->start = ta->start;
	m->end = tb->start + tb->len;
	m->sentence = c->sent;
	m->type = type;
}

/* The type a gazetteer gives an entry; NER_NONE when none does. */
static uint32_t lex_type(uint32_t f)
{
	if (f & LX_ORG)
		return NER_ORG;
	if (f & LX_LOC)
		return NER_LOC;
	if (f & LX_DEMONYM)
		return NER_MISC;
	if (f & (LX_GIVEN | LX_SURNAME))
		return NER_PERSON;
	return NER_NONE;
}

/* ------------------------------------------------------------------ */
/* Numbers, dates, money, percentages (rule 1). */

static uint32_t match_money(const struct tagctx *c, uint32_t i)
{
	const struct seg_doc *d = c->d;
	uint32_t j = i;
	/* "US$5bn", "A$3": a country prefix glued to the sign. */
	if (d->toks[i].kind == SEG_TOK_WORD && d->toks[i].len <= 2 && i + 1 < c->se &&
	    d->toks[i].start + d->toks[i].len == d->toks[i + 1].start &&
	    is_currency_sign(c, i + 1) &&
	    (tok_is(c, i, "US") || tok_is(c, i, "A") || tok_is(c, i, "C") || tok_is(c, i, "HK") ||
	     tok_is(c, i, "NZ") || tok_is(c, i, "S") || tok_is(c, i, "R")))
		j++;
	if (is_currency_sign(c, j) ||
	    (d->toks[j].kind == SEG_TOK_WORD && (c->ti[j].exact & LX_CURRENCY) &&
	     (d->toks[j].flags & SEG_TF_UPPER))) {
		if (!is_amount(c, j + 1))
			return 0;
		j += 2;
		if (lower_flags(c, j) & LX_SCALE)
			j++;
		return j - i;
	}
	if (!is_amount(c, i))
		return 0;
	j = i + 1;
	if (lower_flags(c, j) & LX_SCALE)
		j++;
	if ((exact_flags(c, j) & (LX_COUNTRY | LX_DEMONYM)) &&
	    (lower_flags(c, j + 1) & LX_CURRENCY) && is_lower_word(c, j + 1))
		j++;
	if (j < c->se && (c->ti[j].lower & LX_CURRENCY) && is_lower_word(c, j))
		return j + 1 - i;
	return 0;
}

static uint32_t match_percent(const struct tagctx *c, uint32_t i)
{
	if (!is_amount(c, i) || i + 1 >= c->se)
		return 0;
	if (c->d->toks[i + 1].kind == SEG_TOK_SYMBOL && tok_is(c, i + 1, "%"))
		return 2;
	if (tok_is(c, i + 1, "per") && tok_is(c, i + 2, "cent"))
		return 3;
	if (tok_is(c, i + 1, "percentage") &&
	    (tok_is(c, i + 2, "point") || tok_is(c, i + 2, "points")))
		return 3;
	if ((c->ti[i + 1].lower & LX_PERCENT) && is_lower_word(c, i + 1) &&
	    !tok_is(c, i + 1, "percentage"))
		return 2;
	return 0;
}

/* "(a few) weeks ago", "two years ago". */
static uint32_t match_ago(const struct tagctx *c, uint32_t i)
{
	uint32_t j = i;
	while (j < c->se && j - i < 2 &&
	       (c->d->toks[j].kind == SEG_TOK_NUMBER ||
	        ((c->ti[j].lower & LX_COUNTWORD) && is_lower_word(c, j))))
		j++;
	if (j + 1 < c->se && (c->ti[j].lower & LX_AGOUNIT) && is_lower_word(c, j) &&
	    tok_is(c, j + 1, "ago"))
		return j + 2 - i;
	return 0;
}

static bool year_context(const struct tagctx *c, uint32_t i)
{
	if (i <= c->sb)
		return false;
	const struct seg_token *p = &c->d->toks[i - 1];
	if (p->kind == SEG_TOK_CLITIC)
		return true; /* "Russia's 2022 invasion" */
	if (p->kind == SEG_TOK_PUNCT && tok_is(c, i - 1, "("))
		return true;
	return p->kind == SEG_TOK_WORD && (c->ti[i - 1].lower & LX_YEARCTX);
}

static uint32_t match_date(const struct tagctx *c, uint32_t i)
{
	const struct seg_token *t = &c->d->toks[i];
	uint32_t x = c->ti[i].exact, l = c->ti[i].lower, n;

	if (t->kind == SEG_TOK_WORD && (x & LX_MONTH)) {
		uint32_t j = i + 1;
		if (is_day(c, j)) {
			j++;
			if (j + 1 < c->se && tok_is(c, j, ",") && is_year(c, j + 1))
				j += 2;
			else if (is_year(c, j))
				j++;
			return j - i;
		}
		if (is_year(c, j))
			return 2;
		/* "May" alone is usually the verb. */
		if (tok_is(c, i, "May") &&
		    !(i > c->sb && (c->ti[i - 1].lower & (LX_YEARCTX | LX_RELHEAD)) &&
		      is_lower_word(c, i - 1)))
			return 0;
		return 1;
	}
	if (t->kind == SEG_TOK_WORD && (x & LX_WEEKDAY))
		return 1;
	if (t->kind == SEG_TOK_WORD && (l & LX_DAYWORD) && !(t->flags & SEG_TF_UPPER))
		return 1;
	if (t->kind == SEG_TOK_WORD && (l & LX_RELHEAD) && i + 1 < c->se &&
	    (((c->ti[i + 1].lower & LX_RELUNIT) && is_lower_word(c, i + 1)) ||
	     (c->ti[i + 1].exact & (LX_WEEKDAY | LX_MONTH))))
		return 2;
	if (t->kind == SEG_TOK_NUMBER && is_day(c, i) && (exact_flags(c, i + 1) & LX_MONTH)) {
		uint32_t j = i + 2;
		if (is_year(c, j))
			j++;
		return j - i;
	}
	if (is_year(c, i) && year_context(c, i))
		return 1;
	if (t->kind == SEG_TOK_WORD && t->len == 5 && ends_with(tok_text(c, i), 5, "s")) {
		/* a decade: "1990s", "2020s" */
		const char *s = tok_text(c, i);
		if ((s[0] == '1' && s[1] == '9') || (s[0] == '2' && s[1] == '0'))
			if (is_digit(s[2]) && s[3] == '0')
				return 1;
	}
	if ((n = match_ago(c, i)))
		return n;
	return 0;
}

static uint32_t match_numeric(const struct tagctx *c, uint32_t i, uint32_t *type)
{
	uint32_t n;
	if ((n = match_money(c, i))) {
		*type = NER_MONEY;
		return n;
	}
	if ((n = match_percent(c, i))) {
		*type = NER_PERCENT;
		return n;
	}
	if ((n = match_date(c, i))) {
		*type = NER_DATE;
		return n;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Names (rule 3). */

/* Does a token of [a, b) carry one of the flags? */
static bool has_flag(const struct tagctx *c, uint32_t a, uint32_t b, uint32_t flag)
{
	for (uint32_t i = a; i < b; i++)
		if (c->ti[i].exact & flag)
			return true;
	return false;
}

/* Are all tokens of [a, b) shouted (all capitals)? */
static bool all_upper(const struct tagctx *c, uint32_t a, uint32_t b)
{
	for (uint32_t i = a; i < b; i++)
		if (!(c->d->toks[i].flags & SEG_TF_UPPER) && !is_connector(c, i))
			return false;
	return true;
}

/* A run of one unknown capitalised word (rule 3f). */
static void classify_single(struct tagctx *c, uint32_t a, bool opening)
{
	const struct seg_token *t = &c->d->toks[a];
	const char *s = tok_text(c, a);
	uint32_t next = a + 1;

	if (t->flags & SEG_TF_UPPER) {
		/* An acronym ("ECB", "U.N.") is an organisation; a longer
		 * shouted word ("SOCCER") nothing. */
		if (t->len >= 2 && (t->len <= 4 || memchr(s, '.', t->len)))
			emit(c, a, a + 1, NER_ORG);
		return;
	}
	bool poss = next < c->se && c->d->toks[next].kind == SEG_TOK_CLITIC &&
	            ends_with(tok_text(c, next), c->d->toks[next].len, "s");
	bool verb = false;
	if (next < c->se && is_lower_word(c, next)) {
		const struct seg_token *v = &c->d->toks[next];
		verb = (c->ti[next].lower & LX_VERB) ||
		       (v->len >= 5 && ends_with(tok_text(c, next), v->len, "ed"));
	}
	if (poss || verb) {
		bool plural = t->len > 3 && ends_with(s, t->len, "s") &&
		              !ends_with(s, t->len, "ss") && !ends_with(s, t->len, "us");
		if (opening && !poss && plural)
			emit(c, a, a + 1, NER_MISC | PROV_DROP);
		else
			emit(c, a, a + 1, NER_PERSON);
		return;
	}
	if (opening) {
		emit(c, a, a + 1, NER_MISC | PROV_DROP);
		return;
	}
	if (a > c->sb && is_lower_word(c, a - 1) && (c->ti[a - 1].lower & LX_LOCPREP)) {
		emit(c, a, a + 1, NER_LOC | PROV_GUESS);
		return;
	}
	emit(c, a, a + 1, NER_MISC | PROV_GUESS);
}

/* Rules 3b-3f on the run [a, b), which holds no title split point. With
 * known_only, only what a gazetteer or an organisation word proves is
 * emitted. */
static void classify_plain(struct tagctx *c, uint32_t a, uint32_t b, bool opening, bool known_only)
{
	while (a < b && is_connector(c, a))
		a++;
	while (b > a && is_connector(c, b - 1))
		b--;
	if (a >= b || c->err)
		return;

	uint32_t f0, k0 = piece_at(c, a, b, &f0);
	uint32_t t0 = lex_type(f0);
	if (k0 == b - a) {
		if (t0) {
			emit(c, a, b, t0);
			return;
		}
		if (f0 & (LX_TITLE | LX_ORGWORD | LX_MISCWORD | LX_LOCWORD))
			return; /* a bare title, organisation, event or place word */
	}
	if (b - a >= 2 && has_flag(c, a, b, LX_ORGWORD)) {
		emit(c, a, b, NER_ORG);
		return;
	}
	if (b - a >= 2 && has_flag(c, a, b, LX_MISCWORD)) {
		emit(c, a, b, NER_MISC);
		return;
	}
	if (b - a >= 2 && has_flag(c, a, b, LX_LOCWORD)) {
		emit(c, a, b, NER_LOC);
		return;
	}
	for (uint32_t t = a + 1; t + 1 < b; t++) {
		if (is_of(c, t)) {
			classify_plain(c, a, t, opening, known_only);
			classify_plain(c, t + 1, b, false, known_only);
			return;
		}
	}
	if (!known_only && k0 == 1 && (f0 & LX_GIVEN) && b - a <= 4) {
		emit(c, a, b, NER_PERSON);
		return;
	}
	if (t0 && t0 != NER_PERSON) {
		emit(c, a, a + k0, t0);
		classify_plain(c, a + k0, b, false, known_only);
		return;
	}
	if (known_only)
		return;
	for (uint32_t g = a + 1; g < b; g++) {
		if ((c->ti[g].exact & LX_GIVEN) && b - g >= 2 && b - g <= 4) {
			classify_plain(c, a, g, opening, false);
			emit(c, g, b, NER_PERSON);
			return;
		}
	}
	uint32_t n = b - a;
	if (n >= 2 && all_upper(c, a, b))
		return; /* a shouted headline, not a name */
	if (n == 1)
		classify_single(c, a, opening);
	else if (n <= 3)
		emit(c, a, b, NER_PERSON);
	else
		emit(c, a, b, NER_MISC);
}

/* Rule 3a, then the rest: the run [a, b) of capitalised words. */
static void classify_run(struct tagctx *c, uint32_t a, uint32_t b, bool opening)
{
	uint32_t p = a;
	while (p < b) {
		uint32_t f, k = piece_at(c, p, b, &f);
		if (!(f & LX_TITLE) || lex_type(f) == NER_ORG || lex_type(f) == NER_LOC) {
			p += k;
			continue;
		}
		/* Consecutive titles: "Deputy Prime Minister", "Gen. Sir". */
		uint32_t q = p + k;
		while (q < b) {
			uint32_t f2, k2 = piece_at(c, q, b, &f2);
			if (!(f2 & LX_TITLE))
				break;
			q += k2;
		}
		/* "Minister of Defence Rustem Umerov": the complement runs
		 * to the next given name, else leaves two words for the
		 * name (or everything when fewer remain). */
		uint32_t ca = q, cb = q;
		if (q + 1 < b && is_of(c, q)) {
			ca = q + 1;
			cb = ca;
			while (cb < b && !(c->ti[cb].exact & LX_GIVEN))
				cb++;
			if (cb == b)
				cb = b - ca >= 3 ? b - 2 : b;
			q = cb;
		}
		while (q < b && is_connector(c, q))
			q++;
		if ((q < b || cb > ca) && !has_flag(c, q, b, LX_ORGWORD | LX_MISCWORD)) {
			classify_plain(c, a, p, opening, false);
			if (cb > ca)
				classify_plain(c, ca, cb, false, true);
			if (q < b)
				emit(c, q, b, NER_PERSON);
			return;
		}
		p += k;
	}
	classify_plain(c, a, b, opening, false);
}

static void tag_sentence(struct tagctx *c)
{
	uint32_t i = c->sb, open_at = UINT32_MAX;
	while (i < c->se && !c->err) {
		uint32_t type, n = match_numeric(c, i, &type);
		if (n) {
			emit(c, i, i + n, type);
			i += n;
			continue;
		}
		if (!is_capword(c, i)) {
			i++;
			continue;
		}
		bool opening = i == open_at || is_opening(c, i);
		if (opening && !(c->ti[i].exact & (LX_NAME | LX_TITLE | LX_ORGWORD))) {
			const char *s = tok_text(c, i);
			uint32_t len = c->d->toks[i].len;
			if (len > 4 && (ends_with(s, len, "ing") || ends_with(s, len, "ly"))) {
				open_at = ++i; /* the next word still opens */
				continue;
			}
		}
		/* Extend the run over capitalised words and connectors. */
		uint32_t last = i, j = i + 1;
		while (j < c->se && j - i < RUN_MAX) {
			if (is_capword(c, j)) {
				last = j++;
				continue;
			}
			uint32_t k = j;
			while (k < c->se && is_connector(c, k))
				k++;
			if (k > j && k < c->se && k - i < RUN_MAX && is_capword(c, k)) {
				j = k;
				continue;
			}
			break;
		}
		classify_run(c, i, last + 1, opening);
		i = last + 1;
	}
}

/* ------------------------------------------------------------------ */
/* The document (rule 4). */

#define MEMO_SLOTS 512

/* Upgrade or drop the provisional mentions using the last words of the
 * document's PERSON mentions; clear the internal marks. */
static void resolve(const struct seg_doc *d, struct ner_mentions *out)
{
	struct {
		uint32_t start, len;
	} memo[MEMO_SLOTS];
	bool used[MEMO_SLOTS] = {false};
	size_t held = 0;

	for (size_t i = 0; i < out->n && held < MEMO_SLOTS / 2; i++) {
		const struct ner_mention *m = &out->v[i];
		if (m->type != NER_PERSON)
			continue;
		const struct seg_token *t = &d->toks[m->tok_end - 1];
		uint32_t h = fnv1a(d->text + t->start, t->len) & (MEMO_SLOTS - 1);
		while (used[h] && !(memo[h].len == t->len &&
		                    !memcmp(d->text + memo[h].start, d->text + t->start, t->len)))
			h = (h + 1) & (MEMO_SLOTS - 1);
		if (!used[h]) {
			used[h] = true;
			memo[h].start = t->start;
			memo[h].len = t->len;
			held++;
		}
	}
	size_t w = 0;
	for (size_t i = 0; i < out->n; i++) {
		struct ner_mention m = out->v[i];
		if (m.type & (PROV_GUESS | PROV_DROP)) {
			const char *s = d->text + m.start;
			uint32_t len = m.end - m.start;
			uint32_t h = fnv1a(s, len) & (MEMO_SLOTS - 1);
			bool known = false;
			while (used[h]) {
				if (memo[h].len == len &&
				    !memcmp(d->text + memo[h].start, s, len)) {
					known = true;
					break;
				}
				h = (h + 1) & (MEMO_SLOTS - 1);
			}
			if (known)
				m.type = NER_PERSON;
			else if (m.type & PROV_DROP)
				continue;
			m.type &= TYPE_MASK;
		}
		out->v[w++] = m;
	}
	out->n = w;
}

static int rules_extract(struct ner_extractor *x, const struct seg_doc *doc,
                         struct ner_mentions *out)
{
	struct rules *r = (struct rules *)x;
	out->n = 0;
	if (doc->ntoks > r->cap_ti) {
		size_t cap = r->cap_ti ? r->cap_ti : 256;
		while (cap < doc->ntoks)
			cap *= 2;
		struct tokinfo *ti = realloc(r->ti, cap * sizeof *ti);
		if (!ti)
			return -ENOMEM;
		r->ti = ti;
		r->cap_ti = cap;
	}
	for (size_t i = 0; i < doc->ntoks; i++) {
		const struct seg_token *t = &doc->toks[i];
		const char *s = doc->text + t->start;
		struct tokinfo *ti = &r->ti[i];
		ti->exact = ti->lower = 0;
		if ((t->kind != SEG_TOK_WORD && t->kind != SEG_TOK_SYMBOL) || t->len > LEX_MAX_KEY)
			continue;
		ti->exact = lex_get(r, s, t->len);
		char low[LEX_MAX_KEY];
		bool changed = false;
		for (uint32_t k = 0; k < t->len; k++) {
			char ch = s[k];
			if (ch >= 'A' && ch <= 'Z') {
				ch = (char)(ch - 'A' + 'a');
				changed = true;
			}
			low[k] = ch;
		}
		ti->lower = changed ? lex_get(r, low, t->len) : ti->exact;
		if ((t->flags & SEG_TF_UPPER) && !(ti->exact & LX_KNOWN) &&
		    shout_fold(s, t->len, low))
			ti->exact |= lex_get(r, low, t->len) & (LX_KNOWN | LX_PHRASE);
	}

	struct tagctx c = {.r = r, .d = doc, .ti = r->ti, .out = out};
	for (size_t s = 0; s < doc->nsents && !c.err; s++) {
		const struct seg_sentence *st = &doc->sents[s];
		if (st->flags & SEG_SF_HEADING)
			continue;
		if (st->tok_end > doc->ntoks || st->tok_begin >= st->tok_end)
			continue;
		c.sent = (uint32_t)s;
		c.sb = st->tok_begin;
		c.se = st->tok_end;
		tag_sentence(&c);
	}
	if (c.err) {
		out->n = 0;
		return c.err;
	}
	resolve(doc, out);
	return 0;
}

static void rules_close(struct ner_extractor *x)
{
	struct rules *r = (struct rules *)x;
	free(r->slots);
	free(r->ti);
	free(r);
}

/* ------------------------------------------------------------------ */
/* The lists as a lexicon for the trained tagger's features. */

/* Classes a word reports as written, and those of its lower-cased form. */
#define LEXI_EXACT                                                                                 \
	(LX_COUNTRY | LX_CITY | LX_REGION | LX_DEMONYM | LX_GIVEN | LX_SURNAME | LX_TITLE |        \
	 LX_ORGWORD | LX_ORG | LX_MISCWORD | LX_LOCWORD | LX_MONTH | LX_WEEKDAY)
#define LEXI_LOWER (LX_COMMON | LX_LOCPREP | LX_VERB)

static struct rules lexi_rules;
static struct tagger_lexicon lexi;
static pthread_once_t lexi_once = PTHREAD_ONCE_INIT;

static uint32_t lexi_exact(const char *s, size_t len)
{
	uint32_t f = lex_get(&lexi_rules, s, len);
	char fold[LEX_MAX_KEY];
	if (!(f & LX_KNOWN) && shout_fold(s, len, fold))
		f |= lex_get(&lexi_rules, fold, len) & (LX_KNOWN | LX_PHRASE);
	return f;
}

static uint32_t lexi_word(const void *ctx, const char *s, size_t len)
{
	(void)ctx;
	if (!len || len > LEX_MAX_KEY)
		return 0;
	uint32_t x = lexi_exact(s, len);
	uint32_t f = (x & LEXI_EXACT) | (x & LX_PHRASE ? TAGGER_LEX_PHRASE : 0);
	char low[LEX_MAX_KEY];
	bool changed = false;
	for (size_t k = 0; k < len; k++) {
		bool up = s[k] >= 'A' && s[k] <= 'Z';
		low[k] = up ? (char)(s[k] - 'A' + 'a') : s[k];
		changed |= up;
	}
	/* A word in lower case already was looked up as it is. */
	return f | ((changed ? lex_get(&lexi_rules, low, len) : x) & LEXI_LOWER);
}

static size_t lexi_phrase(const void *ctx, const struct tagger_tok *toks, size_t n, uint32_t *cls)
{
	(void)ctx;
	*cls = 0;
	if (n < 2 || toks[0].len > LEX_MAX_KEY || !(lexi_exact(toks[0].s, toks[0].len) & LX_PHRASE))
		return 0;
	size_t kmax = n < lexi_rules.max_phrase ? n : lexi_rules.max_phrase;
	for (size_t k = kmax; k >= 2; k--) {
		char key[LEX_MAX_KEY + 1];
		size_t len = 0;
		bool fits = true;
		for (size_t t = 0; t < k && fits; t++) {
			if (len + toks[t].len + 1 > LEX_MAX_KEY) {
				fits = false;
				break;
			}
			if (t)
				key[len++] = ' ';
			if (!shout_fold(toks[t].s, toks[t].len, key + len))
				memcpy(key + len, toks[t].s, toks[t].len);
			len += toks[t].len;
		}
		uint32_t f = fits ? lex_get(&lexi_rules, key, len) & LEXI_EXACT : 0;
		if (f) {
			*cls = f;
			return k;
		}
	}
	return 0;
}

static void lexi_build(void)
{
	if (lex_build(&lexi_rules))
		return;
	/* The checksum covers every entry, its classes and the masks above. */
	uint32_t h = fnv1a("ndlex1", 6);
	uint32_t masks[2] = {LEXI_EXACT, LEXI_LOWER};
	h = (h ^ fnv1a((const char *)masks, sizeof masks)) * 16777619u;
	for (size_t l = 0; l < sizeof lex_lists / sizeof lex_lists[0]; l++) {
		h = (h ^ lex_lists[l].flags) * 16777619u;
		for (size_t i = 0; i < lex_lists[l].n; i++)
			h = (h ^ fnv1a(lex_lists[l].words[i], strlen(lex_lists[l].words[i]))) *
			    16777619u;
	}
	lexi.word = lexi_word;
	lexi.phrase = lexi_phrase;
	lexi.checksum = h ? h : 1;
}

size_t ner_rules_title_at(const struct tagger_tok *toks, size_t n)
{
	uint32_t cls;
	if (!ner_rules_lexicon())
		return 0;
	size_t k = lexi_phrase(NULL, toks, n, &cls);
	return k >= 2 && (cls & LX_TITLE) ? k : 0;
}

bool ner_rules_person_word(const char *s, size_t len)
{
	if (!ner_rules_lexicon() || !len || len > LEX_MAX_KEY)
		return false;
	uint32_t f = lexi_exact(s, len) & LEXI_EXACT;
	return f && !(f & ~(uint32_t)(LX_SURNAME | LX_GIVEN));
}

const struct tagger_lexicon *ner_rules_lexicon(void)
{
	pthread_once(&lexi_once, lexi_build);
	return lexi.word ? &lexi : NULL;
}

static const struct ner_ops rules_ops = {
    .extract = rules_extract,
    .close = rules_close,
};

int ner_rules_open(struct ner_extractor **out)
{
	*out = NULL;
	struct rules *r = calloc(1, sizeof *r);
	if (!r)
		return -ENOMEM;
	r->base.ops = &rules_ops;
	r->base.name = "rules-1";
	int rc = lex_build(r);
	if (rc) {
		free(r);
		return rc;
	}
	*out = &r->base;
	return 0;
}
