"""Word lists for synthetic books: names, California places, languages, carriers and plans.

Small, in-memory and fictional by construction: phone numbers use the 555-01xx block, emails
use the reserved example domains, and SSN-shaped numbers (made in :mod:`store.seed_rows`)
use area numbers 900-999, which are never issued as SSNs.
"""

from __future__ import annotations

# Word lists read best packed several to a line; one word per line would make this 700 lines.
# fmt: off

# Given and family names by the language community they are most common in; English
# speakers draw from every pool, since California's English speakers carry all of them.
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "English": (
        ("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
         "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
         "Sarah", "Christopher", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony",
         "Betty", "Mark", "Sandra", "Steven", "Ashley", "Andrew", "Emily", "Joshua", "Megan",
         "Kevin", "Amanda", "Brian", "Melissa", "Ryan", "Rebecca", "Tyler", "Hannah", "Dylan",
         "Olivia", "Ethan", "Chloe", "Noah", "Madison", "Logan", "Grace"),
        ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
         "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Thompson", "White",
         "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
         "Scott", "Hill", "Green", "Adams", "Baker", "Nelson", "Carter", "Mitchell", "Roberts",
         "Turner", "Phillips", "Campbell", "Parker", "Evans", "Edwards", "Collins", "Stewart",
         "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Peterson", "Reed"),
    ),
    "Spanish": (
        ("Jose", "Maria", "Juan", "Guadalupe", "Luis", "Rosa", "Carlos", "Ana", "Jesus",
         "Carmen", "Miguel", "Veronica", "Francisco", "Leticia", "Antonio", "Adriana",
         "Alejandro", "Gabriela", "Javier", "Alejandra", "Ricardo", "Claudia", "Fernando",
         "Patricia", "Eduardo", "Silvia", "Roberto", "Yesenia", "Manuel", "Marisol", "Sergio",
         "Elena", "Raul", "Lucia", "Oscar", "Daniela", "Jorge", "Sofia", "Hector", "Valeria"),
        ("Garcia", "Hernandez", "Lopez", "Martinez", "Gonzalez", "Rodriguez", "Perez",
         "Sanchez", "Ramirez", "Torres", "Flores", "Rivera", "Gomez", "Diaz", "Reyes", "Cruz",
         "Morales", "Ortiz", "Gutierrez", "Chavez", "Ramos", "Ruiz", "Alvarez", "Mendoza",
         "Castillo", "Jimenez", "Vasquez", "Moreno", "Romero", "Herrera", "Medina", "Aguilar",
         "Vargas", "Guzman", "Salazar", "Delgado", "Contreras", "Castro", "Estrada", "Navarro"),
    ),
    "Chinese": (
        ("Wei", "Li", "Jing", "Ming", "Hui", "Xin", "Yan", "Jun", "Mei", "Hao", "Lan", "Tao",
         "Ying", "Feng", "Qing", "Lei", "Ling", "Bo", "Xiu", "Yong", "Kevin", "Jenny", "Amy",
         "Eric", "Vivian"),
        ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu",
         "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Luo", "Wong", "Chan", "Leung", "Lam",
         "Cheung", "Ho"),
    ),
    "Vietnamese": (
        ("Anh", "Minh", "Thanh", "Hoa", "Linh", "Tuan", "Huong", "Duc", "Lan", "Hung", "Mai",
         "Nam", "Thao", "Long", "Trang", "Khanh", "Phuong", "Quang", "Ngoc", "Bao"),
        ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Huynh", "Phan", "Vu", "Vo", "Dang", "Bui",
         "Do", "Ho", "Ngo", "Duong", "Ly", "Truong", "Dinh", "Lam", "Mai"),
    ),
    "Tagalog": (
        ("Jose", "Maria", "Mark", "Angelica", "John", "Kristine", "Paolo", "Maricel", "Rodel",
         "Jocelyn", "Ramon", "Rowena", "Jun", "Lorna", "Arnel", "Cristina", "Noel", "Divina",
         "Romeo", "Teresita"),
        ("Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Torres",
         "Villanueva", "Ramos", "Aquino", "Castillo", "Dela Cruz", "Navarro", "Manalo",
         "Pascual", "Domingo", "Salvador", "Soriano", "Tolentino"),
    ),
    "Korean": (
        ("Min-jun", "Seo-yeon", "Ji-ho", "Ji-woo", "Hyun-woo", "Soo-jin", "Jae-won", "Eun-ji",
         "Sung-min", "Hye-jin", "Dong-hyun", "Yoon-ah", "Young-ho", "Mi-kyung", "Jin"),
        ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han",
         "Oh", "Seo", "Shin", "Kwon"),
    ),
    "Armenian": (
        ("Armen", "Ani", "Aram", "Lilit", "Hovik", "Anahit", "Narek", "Mariam", "Vahe", "Nare"),
        ("Petrosyan", "Sargsyan", "Hakobyan", "Grigoryan", "Harutyunyan", "Avetisyan",
         "Karapetyan", "Hovhannisyan", "Gevorgyan", "Mkrtchyan"),
    ),
    "Russian": (
        ("Dmitri", "Olga", "Sergei", "Natalia", "Alexei", "Irina", "Ivan", "Svetlana",
         "Nikolai", "Elena"),
        ("Ivanov", "Smirnova", "Kuznetsov", "Popova", "Sokolov", "Lebedeva", "Kozlov",
         "Novikova", "Morozov", "Volkova"),
    ),
    "Farsi": (
        ("Ali", "Maryam", "Reza", "Fatemeh", "Hossein", "Zahra", "Mehdi", "Leila", "Amir",
         "Shirin"),
        ("Hosseini", "Mohammadi", "Rezaei", "Ahmadi", "Karimi", "Jafari", "Moradi", "Rahimi",
         "Tehrani", "Shirazi"),
    ),
    "Arabic": (
        ("Mohamed", "Fatima", "Ahmed", "Aisha", "Omar", "Layla", "Yusuf", "Noor", "Khalid",
         "Rania"),
        ("Haddad", "Khoury", "Nasser", "Saleh", "Aziz", "Mansour", "Hamdan", "Farah", "Qasim",
         "Darwish"),
    ),
}

# Written language of the case, weighted roughly like Covered California's enrollees.
LANGUAGES: tuple[tuple[str, int], ...] = (
    ("English", 560), ("Spanish", 280), ("Chinese", 45), ("Vietnamese", 40), ("Tagalog", 25),
    ("Korean", 20), ("Armenian", 10), ("Russian", 8), ("Farsi", 7), ("Arabic", 5),
)

# (city, county, ZIP codes, telephone area codes, weight ~ population in thousands)
PLACES: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], int], ...] = (
    ("Los Angeles", "Los Angeles", ("90012", "90026", "90033", "90042", "90063", "91331"),
     ("213", "323", "818"), 3800),
    ("Long Beach", "Los Angeles", ("90802", "90805", "90813"), ("562",), 450),
    ("Pasadena", "Los Angeles", ("91101", "91104", "91106"), ("626",), 135),
    ("Glendale", "Los Angeles", ("91201", "91203", "91205"), ("818",), 190),
    ("Lancaster", "Los Angeles", ("93534", "93535"), ("661",), 175),
    ("El Monte", "Los Angeles", ("91731", "91732"), ("626",), 105),
    ("Pomona", "Los Angeles", ("91766", "91767"), ("909",), 150),
    ("San Diego", "San Diego", ("92101", "92105", "92113", "92114", "92154"), ("619", "858"),
     1380),
    ("Chula Vista", "San Diego", ("91910", "91911", "91913"), ("619",), 275),
    ("Escondido", "San Diego", ("92025", "92027"), ("760",), 150),
    ("San Jose", "Santa Clara", ("95111", "95116", "95122", "95127"), ("408",), 970),
    ("Sunnyvale", "Santa Clara", ("94085", "94086"), ("408",), 155),
    ("San Francisco", "San Francisco", ("94103", "94110", "94112", "94124"), ("415", "628"),
     810),
    ("Oakland", "Alameda", ("94601", "94603", "94606", "94621"), ("510",), 430),
    ("Fremont", "Alameda", ("94536", "94538", "94555"), ("510",), 225),
    ("Hayward", "Alameda", ("94541", "94544"), ("510",), 160),
    ("Fresno", "Fresno", ("93701", "93702", "93706", "93727"), ("559",), 545),
    ("Sacramento", "Sacramento", ("95811", "95815", "95823", "95828"), ("916", "279"), 525),
    ("Elk Grove", "Sacramento", ("95757", "95758"), ("916",), 175),
    ("Anaheim", "Orange", ("92801", "92804", "92805"), ("714",), 345),
    ("Santa Ana", "Orange", ("92701", "92703", "92704"), ("714", "657"), 310),
    ("Irvine", "Orange", ("92602", "92614", "92618"), ("949",), 310),
    ("Garden Grove", "Orange", ("92840", "92843", "92844"), ("714",), 170),
    ("Westminster", "Orange", ("92683",), ("714",), 90),
    ("Riverside", "Riverside", ("92501", "92503", "92507"), ("951",), 320),
    ("Moreno Valley", "Riverside", ("92553", "92557"), ("951",), 210),
    ("San Bernardino", "San Bernardino", ("92401", "92404", "92410"), ("909",), 220),
    ("Fontana", "San Bernardino", ("92335", "92336"), ("909",), 215),
    ("Bakersfield", "Kern", ("93301", "93305", "93307"), ("661",), 410),
    ("Stockton", "San Joaquin", ("95202", "95205", "95206"), ("209",), 320),
    ("Modesto", "Stanislaus", ("95350", "95351", "95354"), ("209",), 220),
    ("Santa Rosa", "Sonoma", ("95401", "95404", "95407"), ("707",), 180),
    ("Salinas", "Monterey", ("93901", "93905", "93906"), ("831",), 160),
    ("Oxnard", "Ventura", ("93030", "93033", "93036"), ("805",), 200),
    ("Visalia", "Tulare", ("93277", "93291", "93292"), ("559",), 140),
    ("Vallejo", "Solano", ("94589", "94590", "94591"), ("707",), 125),
    ("Richmond", "Contra Costa", ("94801", "94804", "94806"), ("510",), 115),
    ("Concord", "Contra Costa", ("94518", "94519", "94520"), ("925",), 125),
    ("Santa Barbara", "Santa Barbara", ("93101", "93103", "93105"), ("805",), 90),
    ("Redding", "Shasta", ("96001", "96002", "96003"), ("530",), 95),
    ("Chico", "Butte", ("95926", "95928"), ("530",), 105),
    ("Merced", "Merced", ("95340", "95348"), ("209",), 90),
    ("El Centro", "Imperial", ("92243",), ("760",), 45),
    ("Eureka", "Humboldt", ("95501", "95503"), ("707",), 27),
)

STREETS: tuple[str, ...] = (
    "Main", "Oak", "Maple", "Cedar", "Pine", "Elm", "Walnut", "Sycamore", "Olive", "Orange",
    "Lemon", "Willow", "Mission", "El Camino", "Vista", "Sierra", "Del Mar", "Palm", "Magnolia",
    "Jefferson", "Lincoln", "Washington", "Franklin", "Broadway", "Figueroa", "Alvarado",
    "Sunset", "Valencia", "Guerrero", "Alameda", "Santa Clara", "San Pablo", "Shaw", "Blackstone",
    "Stockton", "Folsom", "Florin", "Euclid", "Harbor", "Brookhurst", "Bolsa", "Magnolia",
    "University", "College", "Park", "Lake", "Hillcrest", "Valley View", "Orchard", "Vineyard",
)
STREET_KINDS: tuple[str, ...] = ("St", "Ave", "Blvd", "Dr", "Way", "Rd", "Ln", "Ct", "Pl")
UNIT_KINDS: tuple[str, ...] = ("Apt", "Unit", "Spc", "#")
EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.net", "example.org")

# Covered California health carriers: (brand as it leads a plan name, networks offered).
HEALTH_CARRIERS: tuple[tuple[str, str, tuple[str, ...], int], ...] = (
    ("Kaiser Permanente", "Kaiser Permanente", ("HMO",), 30),
    ("Blue Shield of California", "Blue Shield", ("PPO", "Trio HMO", "HMO"), 20),
    ("Anthem Blue Cross", "Anthem", ("PPO", "EPO", "HMO"), 14),
    ("Health Net", "Health Net", ("HMO", "EPO", "PureCare HSP"), 11),
    ("L.A. Care Health Plan", "L.A. Care", ("HMO",), 7),
    ("Molina Healthcare", "Molina", ("HMO",), 6),
    ("Oscar Health", "Oscar", ("EPO",), 4),
    ("Sharp Health Plan", "Sharp", ("HMO",), 3),
    ("Valley Health Plan", "Valley Health", ("HMO",), 2),
    ("Western Health Advantage", "WHA", ("HMO",), 2),
    ("Chinese Community Health Plan", "CCHP", ("HMO",), 1),
    ("Inland Empire Health Plan", "IEHP", ("HMO",), 2),
)
# Medi-Cal managed care plans (no premium, no metal tier).
MEDI_CAL_PLANS: tuple[str, ...] = (
    "L.A. Care Health Plan", "Health Net Community Solutions", "Inland Empire Health Plan",
    "Kaiser Permanente Medi-Cal", "Anthem Blue Cross Partnership Plan", "Molina Healthcare",
    "CalOptima Health", "Partnership HealthPlan", "Santa Clara Family Health Plan",
    "Alameda Alliance for Health", "Health Plan of San Joaquin", "CenCal Health",
)
DENTAL_CARRIERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Delta Dental", ("PPO", "DHMO")),
    ("Blue Shield of California", ("Dental PPO", "Dental HMO")),
    ("LIBERTY Dental Plan", ("DHMO",)),
    ("Anthem Blue Cross", ("Dental Net",)),
    ("Dental Health Services", ("Smile DHMO",)),
)
# (metal tier, weight, typical monthly premium before subsidy for a 40-year-old, cents)
METAL_TIERS: tuple[tuple[str, int, int], ...] = (
    ("Bronze 60", 26, 45_000),
    ("Silver 70", 56, 58_000),
    ("Gold 80", 12, 68_000),
    ("Platinum 90", 5, 79_000),
    ("Minimum Coverage", 1, 31_000),
)

AGENCY_WORDS: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("Golden", "Pacific", "Sierra", "Coastal", "Valley", "Redwood", "Sunrise", "Bay", "Mission",
     "Harbor", "Summit", "Central", "Desert", "Delta", "Poppy", "Sequoia", "Cypress", "Orchard",
     "Lighthouse", "Horizon"),
    ("Bear", "Coast", "Peak", "Bridge", "Oak", "Star", "Shore", "Trail", "Grove", "Vista",
     "Crest", "Point", "Ridge", "Meadow", "Rock"),
)
AGENCY_KINDS: tuple[str, ...] = (
    "Insurance Services", "Health Insurance Agency", "Insurance Solutions", "Benefits Group",
    "Insurance Center", "Health Partners",
)

FLAG_DETAILS: dict[str, tuple[str, ...]] = {
    "action_requested": (
        "Upload proof of income", "Upload proof of citizenship or lawful presence",
        "Verify California residency", "Sign the application", "Confirm household members",
        "Provide proof of minimum essential coverage loss",
    ),
    "enrollment_update_pending": (
        "Plan change requested", "Address change pending", "Household change pending",
        "Income change pending", "Add dependent pending",
    ),
    "medicare_aged_out": (
        "Primary applicant became eligible for Medicare",
        "Household member became eligible for Medicare",
    ),
}

APPLICATION_STATUSES: tuple[tuple[str, int], ...] = (
    ("Complete", 88), ("In Progress", 7), ("Submitted", 5),
)
ELIGIBILITY_STATUSES: tuple[tuple[str, int], ...] = (
    ("Eligible", 84), ("Conditionally Eligible", 11), ("Pending Verification", 5),
)
MEDI_CAL_STATUSES: tuple[tuple[str, int], ...] = (
    ("Active", 85), ("Pending", 10), ("Discontinued", 5),
)

# Consumer Retention Workspace: why a case needs attention at renewal, and how it ended.
CRW_REASONS: tuple[tuple[str, int], ...] = (
    ("Premium increase", 30), ("Subsidy decrease", 20), ("Plan discontinued", 12),
    ("Carrier leaving service area", 8), ("Income change reported", 15),
    ("Missed premium payment", 15),
)
CRW_RESOLUTIONS: tuple[tuple[str, str], ...] = (
    ("Renewed - same plan", "Called the consumer and confirmed the renewal."),
    ("Renewed - new plan", "Reviewed plan options with the consumer; switched plans."),
    ("Moved to Medi-Cal", "Income now qualifies for Medi-Cal; referred to the county."),
    ("Consumer declined", "Consumer chose not to renew."),
    ("Unable to reach", "Three calls and one email without an answer."),
)
# fmt: on
