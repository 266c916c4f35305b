"""Reference facts the demo company is drawn from: Denver-metro places, people, carriers, prices.

Coordinates are real city centres; phone numbers use the 555-01xx range reserved for fiction and
e-mails use the reserved example domains, so no generated contact can reach a real person.
"""

from __future__ import annotations

from dataclasses import dataclass

from roofops.models.enums import JobType, Material

COMPANY_NAME = "Front Range Roofing & Exteriors"
TIME_ZONE = "America/Denver"
DEMO_EMAIL_DOMAIN = "demo.roofops.local"
YEARS_OF_HISTORY = 3
JOBS_PER_SIZE = 3000
CREWS_PER_SIZE = 12

# (south, north, west, east): every generated coordinate falls inside.
METRO_BOUNDS = (39.40, 40.10, -105.30, -104.60)
KM_PER_DEGREE_LAT = 111.0
KM_PER_DEGREE_LON = 85.4  # at 39.7 degrees north


@dataclass(frozen=True)
class City:
    name: str
    latitude: float
    longitude: float
    radius_km: float
    zip_codes: tuple[str, ...]
    weight: float


CITIES: tuple[City, ...] = (
    City(
        "Denver",
        39.7392,
        -104.9903,
        8.0,
        (
            "80203",
            "80204",
            "80205",
            "80206",
            "80207",
            "80209",
            "80210",
            "80211",
            "80212",
            "80218",
            "80219",
            "80220",
            "80222",
            "80223",
            "80224",
            "80227",
            "80230",
            "80231",
            "80236",
            "80237",
            "80238",
            "80239",
            "80246",
        ),
        30,
    ),
    City(
        "Aurora",
        39.7000,
        -104.8100,
        8.0,
        ("80010", "80011", "80012", "80013", "80014", "80015", "80016", "80017", "80018", "80019"),
        15,
    ),
    City(
        "Lakewood",
        39.7047,
        -105.0814,
        5.0,
        ("80214", "80215", "80226", "80227", "80228", "80232"),
        7,
    ),
    City(
        "Littleton",
        39.6133,
        -105.0166,
        4.5,
        ("80120", "80121", "80122", "80123", "80127", "80128"),
        6,
    ),
    City("Arvada", 39.8028, -105.0875, 5.0, ("80002", "80003", "80004", "80005", "80007"), 6),
    City("Westminster", 39.8367, -105.0372, 4.5, ("80030", "80031", "80234", "80021"), 6),
    City("Thornton", 39.8680, -104.9719, 5.0, ("80229", "80233", "80241", "80260", "80602"), 6),
    City("Centennial", 39.5807, -104.8772, 5.0, ("80015", "80016", "80111", "80112", "80122"), 5),
    City("Highlands Ranch", 39.5539, -104.9694, 4.0, ("80126", "80129", "80130"), 5),
    City("Parker", 39.5186, -104.7614, 4.0, ("80134", "80138"), 4),
    City("Englewood", 39.6478, -104.9878, 2.5, ("80110", "80113"), 2.5),
    City("Broomfield", 39.9205, -105.0867, 4.0, ("80020", "80023"), 3.5),
    City("Golden", 39.7555, -105.2211, 3.0, ("80401", "80403"), 1.5),
    City("Commerce City", 39.8083, -104.9339, 3.5, ("80022", "80640"), 2.5),
    City("Northglenn", 39.8961, -104.9811, 2.5, ("80233", "80234", "80260"), 2),
    City("Wheat Ridge", 39.7661, -105.0772, 2.5, ("80033", "80214"), 2),
    City("Brighton", 39.9853, -104.8206, 3.0, ("80601", "80602"), 2),
    City("Lone Tree", 39.5364, -104.8970, 2.0, ("80124",), 1.2),
)


@dataclass(frozen=True)
class BranchSite:
    code: str
    name: str
    address: str
    latitude: float
    longitude: float


# The first three always exist; bigger demo companies open the others in this order.
BRANCH_SITES: tuple[BranchSite, ...] = (
    BranchSite("DEN", "Denver Central", "2150 W 6th Ave, Denver, CO 80204", 39.7257, -105.0133),
    BranchSite("AUR", "Aurora / East", "16801 E Iliff Ave, Aurora, CO 80013", 39.6753, -104.7889),
    BranchSite(
        "WST",
        "Westminster / North",
        "8800 Sheridan Blvd, Westminster, CO 80003",
        39.8554,
        -105.0531,
    ),
    BranchSite(
        "LIT", "Littleton / South", "7600 S Santa Fe Dr, Littleton, CO 80120", 39.5822, -105.0206
    ),
    BranchSite(
        "LKW", "Lakewood / West", "12000 W Colfax Ave, Lakewood, CO 80215", 39.7402, -105.1294
    ),
    BranchSite(
        "BRI", "Brighton / Northeast", "250 S 4th Ave, Brighton, CO 80601", 39.9822, -104.8147
    ),
)


@dataclass(frozen=True)
class CrewTemplate:
    specialty: str
    skills: tuple[str, ...]
    members: tuple[int, int]
    capacity: tuple[int, int]
    subcontractor: bool = False


SKILLS: tuple[tuple[str, str], ...] = (
    ("asphalt_shingle", "Asphalt shingle"),
    ("metal", "Metal (standing seam)"),
    ("tile", "Concrete and clay tile"),
    ("low_slope_tpo", "Low-slope TPO"),
    ("gutters", "Seamless gutters"),
    ("repairs", "Repairs and service"),
)

_SHINGLE = CrewTemplate("Shingle", ("asphalt_shingle",), (5, 6), (30, 40))
_SHINGLE_REPAIR = CrewTemplate("Shingle", ("asphalt_shingle", "repairs"), (4, 5), (24, 30))
_SHINGLE_SUB = CrewTemplate("Shingle", ("asphalt_shingle",), (5, 6), (32, 40), subcontractor=True)
_METAL = CrewTemplate("Metal", ("metal", "asphalt_shingle"), (4, 5), (12, 16))
_TILE = CrewTemplate("Tile", ("tile",), (5, 6), (8, 10), subcontractor=True)
_TPO = CrewTemplate("Low-slope", ("low_slope_tpo",), (4, 5), (15, 20))
_GUTTER = CrewTemplate("Gutter", ("gutters",), (1, 2), (8, 10))
_REPAIR = CrewTemplate("Service", ("repairs",), (1, 2), (4, 6))
_REPAIR_GUTTER = CrewTemplate("Service", ("repairs", "gutters"), (2, 2), (4, 6))

# The twelve crews of a size-1 company; the first six cover every skill, so even a tiny demo
# can staff every job, and bigger companies cycle through the list.
CREW_TEMPLATES: tuple[CrewTemplate, ...] = (
    _SHINGLE,
    _TPO,
    _METAL,
    _TILE,
    _GUTTER,
    _REPAIR,
    _SHINGLE_REPAIR,
    _SHINGLE_SUB,
    _SHINGLE,
    _SHINGLE_SUB,
    _SHINGLE_REPAIR,
    _REPAIR_GUTTER,
)
MIN_CREWS = 6
CREW_COLORS = (
    "#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2",
    "#db2777", "#65a30d", "#ea580c", "#4f46e5", "#0d9488", "#9333ea",
)  # fmt: skip
SUBCONTRACTOR_NAMES = (
    "Peak Line Roofing LLC",
    "Mile High Installers",
    "Rocky Ridge Contracting",
    "Summit Tile Works",
    "Foothills Roof Crew LLC",
    "Aspen Exteriors Labor",
)


@dataclass(frozen=True)
class SalesRep:
    name: str
    lead_share: float
    close_factor: float


SALES_REPS: tuple[SalesRep, ...] = (
    SalesRep("Jake Morrison", 1.3, 1.22),
    SalesRep("Maria Delgado", 1.2, 1.12),
    SalesRep("Tyler Brooks", 1.0, 1.0),
    SalesRep("Ashley Nguyen", 1.0, 1.06),
    SalesRep("Brandon Kowalski", 0.9, 0.86),
    SalesRep("Dana Whitfield", 0.8, 0.95),
    SalesRep("Chris Romero", 0.7, 0.74),
)

FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Carlos", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra",
    "Jose", "Ashley", "Steven", "Kimberly", "Paul", "Emily", "Andrew", "Donna", "Joshua", "Chloe",
    "Kevin", "Carol", "Brian", "Amanda", "Luis", "Melissa", "Ryan", "Deborah", "Jacob", "Stephanie",
    "Gary", "Rebecca", "Nicholas", "Laura", "Eric", "Sharon", "Jonathan", "Cynthia", "Juan", "Amy",
    "Justin", "Angela", "Scott", "Rosa", "Brandon", "Anna", "Samuel", "Brenda", "Miguel", "Emma",
    "Tyler", "Olivia", "Aaron", "Hannah", "Adam", "Megan", "Nathan", "Ana", "Kyle", "Julie",
    "Ethan", "Grace", "Noah", "Sofia", "Minh", "Priya", "Wei", "Fatima", "Omar", "Keiko",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
    "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres",
    "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell",
    "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker",
    "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook",
    "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly",
    "Howard", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez", "Wood", "Bennett",
    "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez", "Castillo", "Sanders", "Patel",
    "Larsen", "Schmidt", "Olson", "Tran", "Vigil", "Archuleta", "Maestas", "Trujillo",
)  # fmt: skip
COMMERCIAL_NAME_PATTERNS = (
    "{last} Property Management",
    "{street} Townhomes HOA",
    "{city} Community Church",
    "{last} & Sons Storage",
    "{street} Apartments LLC",
    "{city} Dental Group",
    "{last} Family Partners LP",
    "Front Range {trade} Supply",
    "{city} Self Storage",
    "{last} Office Park",
)
COMMERCIAL_TRADES = ("Plumbing", "Electric", "Landscape", "Auto", "Feed", "Lumber")
STREET_NAMES = (
    "Colfax", "Evans", "Yale", "Hampden", "Alameda", "Mississippi", "Jewell", "Iliff", "Dartmouth",
    "Kentucky", "Florida", "Louisiana", "Exposition", "Cedar", "Bayaud", "Ellsworth", "Montview",
    "Hale", "Severn", "Warren", "Asbury", "Amherst", "Quincy", "Belleview", "Arapahoe", "Dry Creek",
    "Orchard", "Mineral", "Bowles", "Ken Caryl", "Chatfield", "Coal Mine",
)  # fmt: skip
NAMED_STREETS = (
    "Kipling", "Wadsworth", "Sheridan", "Lowell", "Federal", "Zuni", "Tennyson", "Quebec",
    "Monaco", "Holly", "Dahlia", "Yosemite", "Havana", "Peoria", "Chambers", "Tower", "Buckley",
    "Pearl", "Clarkson", "Downing", "Franklin", "Gaylord", "Vine", "Race", "High", "Williams",
    "Grant", "Logan", "Pennsylvania", "Emerson", "Corona", "Columbine", "Garrison", "Estes",
    "Simms", "Carr", "Dudley", "Owens", "Pierce", "Harlan", "Depew", "Chase", "Yarrow", "Ward",
)  # fmt: skip
SUBURBAN_NAMES = (
    "Aspen", "Ponderosa", "Juniper", "Cottonwood", "Spruce", "Columbine", "Sunset", "Ridge",
    "Meadow", "Willow", "Timberline", "Bluebell", "Mesa", "Pinon", "Foothill", "Canyon", "Prairie",
    "Eagle", "Elk", "Clear Creek", "Bear Creek", "Longs Peak", "Pikes Peak", "Evergreen", "Laramie",
    "Sage", "Yucca", "Wildflower", "Red Rocks", "Silver Plume", "Antelope", "Falcon",
)  # fmt: skip
SUBURBAN_SUFFIXES = ("Dr", "Ct", "Way", "Cir", "Ln", "Pl", "Trl")
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
AREA_CODES = ("303", "720")

# (carrier, lead weight, claim-number pattern: 9 digit, A letter, X letter or digit)
CARRIERS: tuple[tuple[str, float, str], ...] = (
    ("State Farm", 22, "06-XXXX-9A9"),
    ("Allstate", 14, "0999999999"),
    ("USAA", 12, "999999999-999"),
    ("Farmers", 11, "30099999999-1"),
    ("American Family", 10, "00-999-999999"),
    ("Liberty Mutual", 9, "049999999-99"),
    ("Travelers", 6, "AAA9999"),
    ("Progressive", 5, "99-9999999"),
    ("Nationwide", 5, "72AA999999"),
    ("Auto-Owners", 3, "300-9999999-2099"),
    ("Safeco", 3, "999999999999"),
)
DEDUCTIBLES_DOLLARS = (500, 1000, 1000, 1500, 2000, 2500, 5000)

# Selling prices per square, 2026 Denver, in cents.
PRICE_LIST: tuple[tuple[JobType, Material, int], ...] = (
    (JobType.REROOF, Material.ASPHALT_SHINGLE, 525_00),
    (JobType.REROOF, Material.METAL, 1_180_00),
    (JobType.REROOF, Material.TILE, 1_500_00),
    (JobType.REROOF, Material.LOW_SLOPE_TPO, 800_00),
    (JobType.REPAIR, Material.ASPHALT_SHINGLE, 950_00),
    (JobType.REPAIR, Material.METAL, 1_600_00),
    (JobType.REPAIR, Material.TILE, 1_900_00),
    (JobType.REPAIR, Material.LOW_SLOPE_TPO, 1_200_00),
    (JobType.NEW_CONSTRUCTION, Material.ASPHALT_SHINGLE, 465_00),
    (JobType.NEW_CONSTRUCTION, Material.METAL, 1_050_00),
)

PRODUCTS: dict[Material, tuple[str, ...]] = {
    Material.ASPHALT_SHINGLE: (
        "GAF Timberline HDZ architectural shingles",
        "Owens Corning Duration architectural shingles",
        "CertainTeed Landmark shingles",
        "Malarkey Vista Class 4 impact-resistant shingles",
        "Owens Corning Duration FLEX Class 4 shingles",
    ),
    Material.METAL: ("24 ga standing-seam steel panels", "Stone-coated steel shakes"),
    Material.TILE: ("Concrete S-tile", "Flat concrete tile", "Clay barrel tile"),
    Material.LOW_SLOPE_TPO: ("60 mil TPO, mechanically attached", "60 mil TPO, fully adhered"),
    Material.GUTTERS: ('6" seamless aluminium gutters', '5" K-style seamless gutters'),
    Material.OTHER: ("Roof certification",),
}

LOST_REASONS: dict[str, tuple[str, ...]] = {
    "lead": ("No response after 3 attempts", "Outside service area", "Only wanted a phone quote"),
    "inspection": ("Roof has remaining life", "Homeowner decided to wait"),
    "storm_inspection": ("No hail damage found", "Damage below deductible"),
    "estimate": ("Price too high", "Went with another contractor", "Homeowner decided to wait"),
    "storm_estimate": ("Claim denied by carrier", "Went with another contractor"),
}
CANCEL_REASONS = (
    "Cancelled within the 3-day right of rescission",
    "Financing fell through",
    "Homeowner sold the house",
    "Carrier reversed its coverage decision",
)
