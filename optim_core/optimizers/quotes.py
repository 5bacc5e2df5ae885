"""The lines of the course material that the optimizers' notes and the formulas table quote.

Wherever a text names CS231n, NPTEL, the Guilan slides or the student notes as saying something,
it shows the line it relies on: one of these, verbatim (whitespace aside), from the source's
excerpt under ``tests/data/course/`` (``tests/test_quotes.py`` finds each there). The LaTeX ones
are the lecture's own source, shown rendered.
"""

from optim_core.spec import Quote

# CS231n lecture: the update code of each rule
CS231N_MOMENTUM = Quote(
    "cs231n-lecture", "v = mu * v - learning_rate * dx # integrate velocity", "code"
)
CS231N_NESTEROV = Quote(
    "cs231n-lecture", r"v_t = \mu v_{t-1} - \epsilon \nabla f(\theta_{t-1} + \mu v_{t-1})", "math"
)
CS231N_ADAGRAD = Quote(
    "cs231n-lecture", "x += - learning_rate * dx / (np.sqrt(cache) + 1e-7)", "code"
)
CS231N_ROOT = Quote("cs231n-lecture", "(np.sqrt(cache) + 1e-7)", "code")  # AdaGrad and RMSProp
CS231N_ADAM_CLOSE = Quote("cs231n-lecture", "(incomplete, but close)")
CS231N_ADAM_UNCORRECTED = Quote(
    "cs231n-lecture", "x += - learning_rate * m / (np.sqrt(v) + 1e-7)", "code"
)
CS231N_LIKE_RMSPROP = Quote("cs231n-lecture", "Looks a bit like RMSProp with momentum")
CS231N_BIAS = Quote("cs231n-lecture", "mb = m/(1-beta1**t) # correct bias", "code")
CS231N_ADAM_ROOT = Quote("cs231n-lecture", "mb / (np.sqrt(vb) + 1e-7)", "code")

# NPTEL Deep Learning, lecture 45: ε inside the root, εI + r_t
NPTEL_ADAGRAD = Quote(
    "nptel-lecture-45", r"W_{t+1} = W_t - \frac{\eta}{\sqrt{\epsilon I + r_t}} \circ g_t", "math"
)
NPTEL_ROOT = Quote("nptel-lecture-45", r"\sqrt{\epsilon I + r_t}", "math")  # AdaGrad and RMSProp
NPTEL_NESTEROV_V = Quote(
    "nptel-lecture-45",
    r"v_{t+1} = \alpha v_t - \frac{\eta}{\sqrt{\epsilon I + r_t}} \circ g_t",
    "math",
)
NPTEL_NESTEROV_W = Quote("nptel-lecture-45", r"W_{t+1} = W_t + v_t", "math")
NPTEL_ADAM = Quote(
    "nptel-lecture-45",
    r"W_{t+1} = W_t - \eta \frac{\hat{s}_t}{\sqrt{\epsilon I + \hat{r}_t}}",
    "math",
)
NPTEL_ADAM_ROOT = Quote(
    "nptel-lecture-45", r"\frac{\hat{s}_t}{\sqrt{\epsilon I + \hat{r}_t}}", "math"
)
NPTEL_BIAS = Quote(
    "nptel-lecture-45",
    r"\hat{s}_t = \frac{s_t}{1 - \beta_1} \quad \hat{r}_t = \frac{r_t}{1 - \beta_2}",
    "math",
)

# The Guilan slides: Goodfellow et al.'s algorithms, δ for ε
GUILAN_MOMENTUM = Quote(
    "guilan-slides", r"\mathbf{v} \leftarrow \alpha \mathbf{v} - \epsilon \mathbf{g}", "math"
)
GUILAN_ADAGRAD_ROOT = Quote("guilan-slides", r"\delta + \sqrt{\mathbf{r}}", "math")
GUILAN_ADAGRAD_START = Quote(
    "guilan-slides", r"Initialize gradient accumulation variable $\mathbf{r} = \mathbf{0}$"
)
GUILAN_RMSPROP = Quote(
    "guilan-slides",
    r"\Delta \theta = -\frac{\epsilon}{\sqrt{\delta + \mathbf{r}}} \odot \mathbf{g}",
    "math",
)
GUILAN_RMSPROP_ROOT = Quote("guilan-slides", r"\sqrt{\delta + \mathbf{r}}", "math")

# The student notes: Nesterov re-parametrized
NOTES_NESTEROV = Quote("student-notes", "x += -mu * v_prev + (1 + mu) * v", "code")
