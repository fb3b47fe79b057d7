"""Word lists for the demo state: invented people and places.

People are a random first name with a random common surname, so no record describes a real
person; towns and counties are compounds of common English words, not a list of real places
(a compound may happen to match a real town somewhere, which is harmless: no real agency's
data is used).
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Aaron Abigail Adam Adrian Alexis Alicia Amanda Amber Andre Andrea Angela Anthony Ashley "
    "Austin Bailey Benjamin Blake Brandon Brenda Brian Brittany Caleb Cameron Carlos Carmen Casey "
    "Chad Charles Chelsea Christina Christopher Cody Colton Connor Corey Courtney Craig Crystal "
    "Curtis Dakota Dale Dana Daniel Danielle Darius David Dawn Dean Denise Derek Destiny Devin "
    "Diana Dominic Donald Douglas Dustin Dylan Edward Elena Elijah Elizabeth Emily Emmanuel Eric "
    "Erica Erin Ethan Evan Faith Felicia Gabriel Garrett Gavin Gloria Grace Grant Gregory Hailey "
    "Hannah Heather Hector Holly Hunter Ian Isaac Isabel Jacob Jacqueline Jaime Jamal Jared "
    "Jasmine Jason Javier Jeffrey Jenna Jennifer Jeremy Jesse Jessica Joel Jonathan Jordan Jose "
    "Joseph Joshua Julia Justin Kaitlyn Karen Katherine Kayla Keith Kelly Kendra Kenneth Kevin "
    "Kimberly Kyle Lance Latoya Laura Lauren Leah Leon Leslie Levi Logan Lucas Luis Madison Malik "
    "Marcus Maria Mark Marquis Martin Mason Matthew Megan Melissa Micah Michael Michelle Miguel "
    "Miranda Mitchell Monica Morgan Natalie Nathan Nicholas Nicole Noah Olivia Omar Paige Patrick "
    "Paul Peter Phillip Quinn Rachel Ramon Randall Raymond Rebecca Ricardo Robert Rodney Ryan "
    "Samantha Samuel Sandra Sara Scott Sean Seth Shane Shawn Shelby Sierra Spencer Stacy "
    "Stephanie Steven Tanner Tara Taylor Terrence Thomas Timothy Travis Trevor Tyler Valerie "
    "Vanessa Victor Victoria Vincent Wesley Whitney William Wyatt Xavier Yolanda Zachary"
)

LAST_NAMES = _words(
    "Adams Aguilar Alexander Allen Alvarez Anderson Armstrong Arnold Bailey Baker Barnes Bell "
    "Bennett Black Boyd Bradley Brooks Brown Bryant Burke Burns Butler Campbell Carpenter Carroll "
    "Carter Castillo Chapman Chavez Clark Cole Coleman Collins Cook Cooper Cox Crawford Cruz "
    "Cunningham Daniels Davis Dean Diaz Dixon Douglas Duncan Dunn Edwards Elliott Ellis Evans "
    "Ferguson Fernandez Fisher Fleming Flores Ford Foster Fox Franklin Freeman Garcia Gardner "
    "Gibson Gomez Gonzalez Gordon Graham Grant Gray Green Griffin Hall Hamilton Hansen Harper "
    "Harris Harrison Hart Hawkins Hayes Henderson Henry Hernandez Hicks Hill Hoffman Holmes "
    "Howard Hudson Hughes Hunt Hunter Jackson James Jenkins Johnson Jones Jordan Keller Kelly "
    "Kennedy King Knight Lane Lawrence Lee Lewis Long Lopez Marshall Martin Martinez Mason "
    "Matthews Mcdonald Meyer Miller Mills Mitchell Moore Morales Morgan Morris Murphy Murray "
    "Myers Nelson Nichols Olson Ortiz Owens Palmer Parker Patel Patterson Payne Perez Perkins "
    "Perry Peters Peterson Phillips Pierce Porter Powell Price Ramirez Ramos Reed Reyes Reynolds "
    "Rice Richards Richardson Riley Rivera Roberts Robertson Robinson Rodriguez Rogers Rose Ross "
    "Russell Ruiz Ryan Sanchez Sanders Schmidt Scott Shaw Simmons Simpson Smith Snyder Spencer "
    "Stephens Stevens Stewart Stone Sullivan Taylor Thomas Thompson Torres Tucker Turner Wagner "
    "Walker Wallace Walsh Ward Warren Washington Watson Weaver Webb Wells West Wheeler White "
    "Williams Willis Wilson Wood Woods Wright Young"
)

PLACE_HEADS = _words(
    "Ash Aspen Bear Beaver Bell Birch Black Blue Bluff Boulder Briar Brook Cedar Chestnut Clay "
    "Clear Cliff Clover Copper Cotton Crane Crystal Cypress Deer Dogwood Eagle Elk Elm Fair "
    "Falcon Fern Flint Fox Glen Gold Granite Green Hawk Hazel Heron Hickory High Holly Iron "
    "Juniper Lake Laurel Lime Linden Locust Maple Marble Meadow Mill Mink Moss North Oak Orchard "
    "Otter Pebble Pine Plum Prairie Quail Raven Red Ridge Rock Rose Sandy Shady Silver South "
    "Spring Stone Sugar Sycamore Thistle Timber Walnut Willow Wolf"
)

PLACE_TAILS = _words(
    "bend brook burg creek crest dale field ford grove haven hill hollow land mont park port "
    "ridge run springs ton vale view ville wood"
)

REGIONS = (
    "Big Rivers",
    "Prairie Ridge",
    "Northwest Plains",
    "Eastern Hills",
    "Lake Country",
    "Central Valley",
    "Southern Bluffs",
    "Two Forks",
)

STATE_AGENCIES = (
    "State Capitol Police",
    "Department of Conservation Enforcement Division",
    "State Park Ranger Service",
    "Department of Revenue Criminal Investigations Bureau",
    "State Fire Marshal Investigations Unit",
    "Department of Corrections Office of Investigations",
    "Gaming Commission Enforcement Division",
    "State Water Patrol Division",
    "Alcohol and Tobacco Control Division",
    "Department of Insurance Fraud Unit",
)

STREETS = (
    "Main Street",
    "Commerce Drive",
    "Industrial Park Road",
    "College Avenue",
    "Courthouse Square",
    "Highway 50",
    "Route 66",
    "Range Road",
)
