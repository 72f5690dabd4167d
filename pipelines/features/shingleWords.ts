/** Words per n-gram: 3-grams tell a reworded action from a copy where single words cannot. */
export const SHINGLE_WORDS = 3;
