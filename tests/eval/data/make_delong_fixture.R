# Writes delong_proc.json: two correlated scorers on the same rows, with tied scores, and what R's
# pROC (DeLong et al. 1988, paired) says of them. Regenerate: Rscript make_delong_fixture.R
# (Debian: r-cran-proc, r-cran-jsonlite). The test eval_test_significance reads the JSON.
suppressMessages({ library(pROC); library(jsonlite) })
set.seed(20261127)
n <- 400
label <- rbinom(n, 1, 0.45)
signal <- rnorm(n) + 0.8 * label
score_a <- round(signal + rnorm(n, sd = 0.7), 1)          # rounded: many ties
score_b <- round(0.6 * signal + rnorm(n, sd = 0.9) + 0.2 * label, 1)
score_c <- round(0.3 * signal + rnorm(n, sd = 1.0), 1)    # clearly weaker than a
roc_a <- roc(label, score_a, levels = c(0, 1), direction = "<", quiet = TRUE)
roc_b <- roc(label, score_b, levels = c(0, 1), direction = "<", quiet = TRUE)
test <- roc.test(roc_a, roc_b, method = "delong", paired = TRUE)
ci_a <- ci.auc(roc_a, method = "delong")
roc_c <- roc(label, score_c, levels = c(0, 1), direction = "<", quiet = TRUE)
test_ac <- roc.test(roc_a, roc_c, method = "delong", paired = TRUE)
out <- list(
  generator = sprintf("pROC %s, R %s: tests/eval/data/make_delong_fixture.R", packageVersion("pROC"),
                      getRversion()),
  label = label, score_a = score_a, score_b = score_b, score_c = score_c,
  auc_a = as.numeric(auc(roc_a)), auc_b = as.numeric(auc(roc_b)),
  var_a = var(roc_a, method = "delong"), var_b = var(roc_b, method = "delong"),
  cov_ab = cov(roc_a, roc_b, method = "delong"),
  z = unname(test$statistic), p_value = test$p.value,
  diff_ci95 = as.numeric(test$conf.int), ci95_a = as.numeric(ci_a)[c(1, 3)],
  auc_c = as.numeric(auc(roc_c)), z_ac = unname(test_ac$statistic), p_value_ac = test_ac$p.value,
  diff_ci95_ac = as.numeric(test_ac$conf.int))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE), "delong_proc.json")
