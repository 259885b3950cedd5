//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Personalize image prompts from personas (ZIPP).
#[derive(Parser)]
#[command(name = "zipp", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 ok, 1 backend failed, 2 usage, 3 invalid input, 4 file error."
)]
pub struct Cli {
    /// Log progress and retries to stderr (or set ZIPP_LOG=info|debug).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Rewrite prompts as a persona would want the pictures.
    Rewrite(RewriteArgs),
    /// Validate, show or create persona documents.
    Persona {
        /// Persona subcommand.
        #[command(subcommand)]
        command: PersonaCommand,
    },
    /// Evaluate generations: CLIPScore, Image-Align, CMMD, raw vs IPF aggregates, win rates.
    Eval(EvalArgs),
    /// Mine personas from community-interaction logs: synthetic dumps, ingest, graph stats.
    Mine {
        /// Mining subcommand.
        #[command(subcommand)]
        command: MineCommand,
    },
    /// Find, download and inspect GGUF models.
    Models {
        /// Models subcommand.
        #[command(subcommand)]
        command: ModelsCommand,
    },
}

/// `zipp models ...`.
#[derive(Subcommand)]
pub enum ModelsCommand {
    /// Print the model the gguf backend would use (ZIPP_MODEL, else the cached default); exit
    /// code 1 when there is none.
    Path,
    /// Download a GGUF file with resume, keeping it only if its SHA-256 matches.
    Pull {
        /// HTTP(S) address of the file.
        url: String,
        /// Expected SHA-256 (64 hex digits).
        #[arg(long, value_name = "HEX")]
        sha256: String,
        /// Where to save it [default: the cache folder's models/, under the URL's file name].
        #[arg(short, long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Describe a GGUF file: architecture, size, vocabulary, chat template.
    Info {
        /// GGUF file.
        file: PathBuf,
    },
}

/// `zipp mine ...`.
#[derive(Subcommand)]
pub enum MineCommand {
    /// Write a synthetic Reddit-format dump with planted persona types and its ground truth.
    Synth(SynthArgs),
    /// Ingest Reddit dumps (RC_/RS_ .zst), JSONL or CSV logs into a user-community graph.
    Ingest(Box<IngestArgs>),
    /// Summarize a graph file.
    Stats {
        /// Graph file.
        graph: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Train the GATv2 + ImageAlign encoder, rank communities by attention and write personas
    /// (a JSON configuration; see the README's persona-mining section).
    Run {
        /// Configuration file (relative paths in it are taken from its folder).
        config: PathBuf,
        /// Start over: ignore the checkpoint and rewrite personas already there.
        #[arg(long)]
        fresh: bool,
    },
    /// Print the persona documents a run wrote, one JSON object per line.
    Personas {
        /// The run's output folder.
        out_dir: PathBuf,
    },
    /// Train TF-IDF, GAT and GAT + ImageAlign on one graph and print held-out posting accuracy.
    Ablate(AblateArgs),
}

/// `zipp mine ablate`.
#[derive(Args)]
pub struct AblateArgs {
    /// Graph file.
    pub graph: PathBuf,
    /// Image references, one per line (for ImageAlign).
    #[arg(long, value_name = "FILE", requires = "image_vectors")]
    pub image_index: Option<PathBuf>,
    /// `.npy` embeddings, one row per reference.
    #[arg(long, value_name = "FILE", requires = "image_index")]
    pub image_vectors: Option<PathBuf>,
    /// Most epochs per encoder.
    #[arg(long, default_value_t = 200)]
    pub epochs: usize,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Compute threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print JSON instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// `zipp mine synth`.
#[derive(Args)]
pub struct SynthArgs {
    /// Output folder: the dump goes to DIR/reddit, the ground truth to DIR/truth.
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,
    /// Users.
    #[arg(long, default_value_t = 20_000)]
    pub users: usize,
    /// Communities.
    #[arg(long, default_value_t = 2_000)]
    pub communities: usize,
    /// Interactions kept by the ingest (noise lines come on top).
    #[arg(long, default_value_t = 400_000)]
    pub interactions: usize,
    /// Planted persona types (1-12).
    #[arg(long, default_value_t = 8)]
    pub types: usize,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Month of the dump, YYYY-MM.
    #[arg(long, default_value = "2020-01")]
    pub month: String,
}

/// `zipp mine ingest`.
#[derive(Args)]
pub struct IngestArgs {
    /// Dump or log files, or folders to search (RC_*, RS_*, *.jsonl, *.ndjson, *.csv, each
    /// optionally .zst).
    #[arg(short, long = "input", value_name = "PATH", required = true, num_args = 1..)]
    pub input: Vec<PathBuf>,
    /// Graph file to write.
    #[arg(short, long, value_name = "GRAPH")]
    pub out: PathBuf,
    /// Drop users with fewer interactions.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub min_user: u32,
    /// Drop communities with fewer distinct users.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub min_community: u32,
    /// Keep records from this time on (Unix seconds or YYYY-MM-DD).
    #[arg(long)]
    pub since: Option<String>,
    /// Keep records before this time.
    #[arg(long)]
    pub until: Option<String>,
    /// Drop records marked over_18.
    #[arg(long)]
    pub exclude_nsfw: bool,
    /// A file of extra bot account names, one per line.
    #[arg(long, value_name = "FILE")]
    pub bots: Option<PathBuf>,
    /// Do not treat names ending in _bot/-bot/Bot as bots.
    #[arg(long)]
    pub no_bot_suffix: bool,
    /// Skip lines longer than this many bytes.
    #[arg(long, default_value_t = 1 << 20, value_name = "BYTES")]
    pub max_line_bytes: usize,
    /// Stop at the first bad line or broken file.
    #[arg(long)]
    pub strict: bool,
    /// Share of each user's communities held out for link prediction.
    #[arg(long, default_value_t = 0.2)]
    pub holdout: f64,
    /// Seed of the hold-out split.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// No progress line or summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print the ingest report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Backends selectable on the command line.
#[derive(Clone, Copy, ValueEnum)]
pub enum BackendArg {
    /// Model-free, deterministic; needs nothing.
    Rules,
    /// An OpenAI-compatible server (llama.cpp server, Ollama, vLLM, LM Studio, hosted APIs).
    Openai,
    /// A GGUF model run in-process (--model FILE, else ZIPP_MODEL, else the cached default).
    Gguf,
}

/// Rewrite methods selectable on the command line.
#[derive(Clone, Copy, ValueEnum)]
pub enum MethodArg {
    /// Chosen for the backend: compose for rules, taste for local models under 3B weights,
    /// roleplay for larger ones and for servers.
    Auto,
    /// The model role-plays the persona and rewrites the prompt as they would (the paper).
    Roleplay,
    /// The model weaves the persona's taste clauses into the prompt (for small models).
    Taste,
    /// No model: the prompt with the persona's taste clauses appended.
    Compose,
}

/// What a backend failure does.
#[derive(Clone, Copy, ValueEnum)]
pub enum OnErrorArg {
    /// Stop with the error (exit code 1).
    Fail,
    /// Print the original prompt and go on.
    Passthrough,
}

/// `zipp rewrite`.
#[derive(Args)]
pub struct RewriteArgs {
    /// Persona file: a JSON document or plain first-person text.
    #[arg(short, long, value_name = "FILE")]
    pub persona: PathBuf,
    /// Text backend [default: gguf with the default model if it is installed, else rules].
    #[arg(short, long, value_enum, env = "ZIPP_BACKEND")]
    pub backend: Option<BackendArg>,
    /// Server URL for --backend openai [default: http://127.0.0.1:8080/v1].
    #[arg(long, value_name = "URL", env = "ZIPP_BASE_URL")]
    pub base_url: Option<String>,
    /// The GGUF file for --backend gguf (the default backend when it ends in .gguf); the model's
    /// name for --backend openai.
    #[arg(short, long, value_name = "FILE|NAME", env = "ZIPP_MODEL")]
    pub model: Option<String>,
    /// Compute threads for --backend gguf [default: the physical cores].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Longest prompt plus rewrite in tokens for --backend gguf [default: 4096].
    #[arg(long, value_name = "TOKENS")]
    pub context: Option<usize>,
    /// Print the model's text to stderr as it is generated.
    #[arg(long)]
    pub stream: bool,
    /// How to rewrite [default: auto, chosen for the backend].
    #[arg(long, value_enum)]
    pub method: Option<MethodArg>,
    /// Rewriter configuration file (JSON); flags override it. API keys belong here or in
    /// ZIPP_API_KEY / OPENAI_API_KEY, never on the command line.
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Sampling seed; the same seed gives the same rewrite.
    #[arg(short, long)]
    pub seed: Option<u64>,
    /// Number of the persona's past prompts shown to the model (0-8).
    #[arg(short, long)]
    pub k: Option<usize>,
    /// Most words in a rewrite (5-300).
    #[arg(short, long, value_name = "N")]
    pub words: Option<usize>,
    /// Most taste clauses added (1-3, default 3): fewer keep a person's pictures more varied.
    #[arg(long, value_name = "N")]
    pub taste_clauses: Option<usize>,
    /// Sampling temperature (0-2).
    #[arg(short, long)]
    pub temperature: Option<f32>,
    /// Read timeout for the server, in seconds.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Negative prompt, passed through untouched (shown with --json).
    #[arg(short, long, value_name = "TEXT")]
    pub negative: Option<String>,
    /// What a backend failure does.
    #[arg(long, value_enum, default_value = "fail")]
    pub on_error: OnErrorArg,
    /// Print one JSON result record per prompt instead of the rewrite alone.
    #[arg(long)]
    pub json: bool,
    /// Rewrites in flight at once (1 to 64; for servers with parallel slots), results still in
    /// input order; not with --stream.
    #[arg(short, long, value_name = "N", default_value_t = 1)]
    pub jobs: usize,
    /// Prompts to rewrite, one per argument; read from stdin, one per line (a JSONL line's
    /// `prompt`), when none is given.
    #[arg(value_name = "PROMPT")]
    pub prompts: Vec<String>,
}

/// `zipp persona ...`.
#[derive(Subcommand)]
pub enum PersonaCommand {
    /// Check persona files against the schema; lists every problem with its JSON path.
    Validate {
        /// Persona files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Show a persona: a summary, or the normalized document with --json.
    Show {
        /// Persona file.
        file: PathBuf,
        /// Print the normalized JSON document.
        #[arg(long)]
        json: bool,
    },
    /// Make a persona document from intake-survey answers (a JSON file, `-` for stdin, or flags).
    FromSurvey(Box<SurveyArgs>),
    /// Infer a visual taste from who the persona is (region, profession, interests, age band;
    /// with --config, also by the configured model).
    Taste {
        /// Persona file.
        file: PathBuf,
        /// Print the persona document with the inferred taste filled in where it has none of its
        /// own (aesthetics, facets, affect), ready to save and edit, instead of the profile.
        #[arg(long)]
        complete: bool,
        /// Rewriter configuration file (JSON, as for `zipp rewrite --config`): its backend infers
        /// taste phrases that join the vocabulary's (with --complete). Without it, the curated
        /// vocabulary alone.
        #[arg(short, long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

/// `zipp persona from-survey`.
#[derive(Args)]
pub struct SurveyArgs {
    /// Survey answers as JSON (name, age_band, gender, country, region, language, profession,
    /// hobbies, notes); `-` reads stdin. Flags override its answers.
    #[arg(value_name = "SURVEY.json")]
    pub file: Option<PathBuf>,
    /// Name.
    #[arg(long)]
    pub name: Option<String>,
    /// Age band: under-18, 18-24, 25-34, 35-44, 45-54, 55-64 or 65+.
    #[arg(long)]
    pub age_band: Option<String>,
    /// Gender.
    #[arg(long)]
    pub gender: Option<String>,
    /// Country.
    #[arg(long)]
    pub country: Option<String>,
    /// UN M49 sub-region, e.g. "Western Africa".
    #[arg(long)]
    pub region: Option<String>,
    /// Language.
    #[arg(long)]
    pub language: Option<String>,
    /// Profession.
    #[arg(long)]
    pub profession: Option<String>,
    /// Hobbies, comma-separated.
    #[arg(long)]
    pub hobbies: Option<String>,
    /// Anything else, in the first person.
    #[arg(long)]
    pub notes: Option<String>,
    /// Write the persona here instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `zipp eval`.
#[derive(Args)]
pub struct EvalArgs {
    /// JSON lines: {"user", "demographics": {..}, "prompt", "method", "image", "references": [..]}
    /// (images as files or `.npy` embeddings; relative paths from the manifest's folder).
    pub manifest: PathBuf,
    /// CLIP checkpoint folder (config.json, model.safetensors, tokenizer.json).
    #[arg(long, value_name = "DIR")]
    pub clip: PathBuf,
    /// Demographic margins for IPF: {"variable": {"category": target, ..}, ..}.
    #[arg(long, value_name = "FILE")]
    pub margins: Option<PathBuf>,
    /// Method the others are compared with for win rates.
    #[arg(long, value_name = "METHOD")]
    pub baseline: Option<String>,
    /// Folder for eval.json and eval.csv.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print JSON instead of the table.
    #[arg(long)]
    pub json: bool,
}
