#!/usr/bin/env bash
# Exports the MovieLens ratings shipped in Debian's r-cran-dslabs package (data frame
# `dslabs::movielens`: 100,004 ratings by 671 users, 1995–2016) to two CSV files that
# experiments/data/dslabs-movielens.json prepares:
#   DIR/ratings.csv  userId,movieId,rating,timestamp
#   DIR/movies.csv   movieId,title,year,genres        (one row per movie)
# Usage: scripts/export-dslabs.sh [DIR]       (default: data/dslabs-movielens beside this script's
#                                              repository root). Idempotent: does nothing when both
#                                              files exist; writes through temporary files.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/data/dslabs-movielens}"

if [ -s "$out/ratings.csv" ] && [ -s "$out/movies.csv" ]; then
  echo "export-dslabs: $out/ratings.csv and movies.csv already present"
  exit 0
fi
if ! command -v Rscript >/dev/null 2>&1; then
  echo "export-dslabs: Rscript not found (install r-base-core r-cran-dslabs: scripts/setup-debian.sh)" >&2
  exit 1
fi
mkdir -p "$out"

# write.csv quotes every string field (RFC 4180, "" for a quote), so titles with commas survive;
# the prepare spec sets "quote": "\"". Rows keep the data frame's order.
OUT_DIR="$out" Rscript --vanilla -e '
  suppressPackageStartupMessages(library(dslabs))
  out <- Sys.getenv("OUT_DIR")
  m <- dslabs::movielens
  ratings <- data.frame(userId = m$userId, movieId = m$movieId, rating = m$rating,
                        timestamp = m$timestamp)
  movies <- unique(data.frame(movieId = m$movieId, title = as.character(m$title),
                              year = m$year, genres = as.character(m$genres),
                              stringsAsFactors = FALSE))
  movies <- movies[!duplicated(movies$movieId), ]
  # Five movies (7 ratings) have no title in the data frame; keep their ratings under a name.
  untitled <- is.na(movies$title) | movies$title == ""
  movies$title[untitled] <- paste0("Untitled movie ", movies$movieId[untitled])
  movies <- movies[order(movies$movieId), ]
  write.csv(ratings, file.path(out, "ratings.csv.tmp"), row.names = FALSE, fileEncoding = "UTF-8")
  write.csv(movies, file.path(out, "movies.csv.tmp"), row.names = FALSE, na = "", fileEncoding = "UTF-8")
  cat(sprintf("export-dslabs: %d ratings, %d users, %d movies\n", nrow(ratings),
              length(unique(ratings$userId)), nrow(movies)))
'
mv "$out/ratings.csv.tmp" "$out/ratings.csv"
mv "$out/movies.csv.tmp" "$out/movies.csv"
echo "export-dslabs: wrote $out/ratings.csv and $out/movies.csv"
