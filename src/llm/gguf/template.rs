//! Chat templates: the GGUF's own `tokenizer.chat_template` rendered with a Jinja engine, or a
//! built-in format for the architecture when the file has none.

use minijinja::{context, Environment, ErrorKind};

use crate::error::{Result, ZippError};
use crate::llm::{ChatMessage, Role};

/// A chat format: how a conversation becomes the model's prompt text.
pub struct ChatTemplate {
    env: Environment<'static>,
    source: TemplateSource,
    bos: String,
    eos: String,
}

impl std::fmt::Debug for ChatTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatTemplate")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Where a template came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateSource {
    /// The model file's `tokenizer.chat_template`.
    Model,
    /// libzipp's built-in format for the architecture.
    Builtin(&'static str),
}

/// ChatML, as Qwen uses it.
const CHATML: &str = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
/// Llama 3's header format.
const LLAMA3: &str = "{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m.role }}<|end_header_id|>\n\n{{ m.content | trim }}<|eot_id|>{% endfor %}{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}";
/// Gemma's turns; Gemma has no system role, so the system text opens the first user turn.
const GEMMA: &str = "{{ bos_token }}{% set sys = '' %}{% for m in messages %}{% if m.role == 'system' %}{% set sys = m.content ~ '\n\n' %}{% else %}<start_of_turn>{{ 'model' if m.role == 'assistant' else 'user' }}\n{% if loop.index0 == 1 and messages[0].role == 'system' %}{{ messages[0].content }}\n\n{% endif %}{{ m.content | trim }}<end_of_turn>\n{% endif %}{% endfor %}{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}";
/// Phi-3's tags.
const PHI3: &str = "{% for m in messages %}<|{{ m.role }}|>\n{{ m.content }}<|end|>\n{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}";
/// Mistral's instruction tags, for Llama-architecture SentencePiece models.
const MISTRAL: &str = "{{ bos_token }}{% for m in messages %}{% if m.role == 'user' %}[INST] {% if loop.index0 == 1 and messages[0].role == 'system' %}{{ messages[0].content }}\n\n{% endif %}{{ m.content }} [/INST]{% elif m.role == 'assistant' %}{{ m.content }}{{ eos_token }}{% endif %}{% endfor %}";

fn role_name(role: Role) -> &'static str {
    match role {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
    }
}

impl ChatTemplate {
    /// The template for a model: its own when `source` is given, else the built-in one for
    /// `arch` (`spm` tells Llama 2/Mistral-style vocabularies from Llama 3 ones).
    pub fn new(source: Option<&str>, arch: &str, spm: bool, bos: &str, eos: &str) -> Result<Self> {
        let (text, origin) = match source.filter(|s| !s.trim().is_empty()) {
            Some(s) => (s.to_string(), TemplateSource::Model),
            None => {
                let (name, text) = match arch {
                    "gemma3" | "gemma2" | "gemma" => ("gemma", GEMMA),
                    "phi3" => ("phi3", PHI3),
                    "llama" if spm => ("mistral", MISTRAL),
                    "llama" => ("llama3", LLAMA3),
                    _ => ("chatml", CHATML),
                };
                (text.to_string(), TemplateSource::Builtin(name))
            }
        };
        let mut env = Environment::new();
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_function(
            "raise_exception",
            |message: String| -> std::result::Result<String, minijinja::Error> {
                Err(minijinja::Error::new(ErrorKind::InvalidOperation, message))
            },
        );
        env.add_function("strftime_now", |_format: String| -> String {
            // Templates use it for "today's date" lines; a fixed date keeps outputs reproducible.
            "26 Jul 2024".to_string()
        });
        env.add_template_owned("chat", text)
            .map_err(|e| ZippError::InvalidConfig {
                field: "chat_template".into(),
                message: format!("the model's chat template does not parse: {e}"),
            })?;
        Ok(Self {
            env,
            source: origin,
            bos: bos.to_string(),
            eos: eos.to_string(),
        })
    }

    /// Where this template came from.
    pub fn source(&self) -> TemplateSource {
        self.source
    }

    /// Renders `messages` with the assistant's turn opened.
    pub fn render(&self, messages: &[ChatMessage]) -> Result<String> {
        let msgs: Vec<minijinja::Value> = messages
            .iter()
            .map(|m| context! { role => role_name(m.role), content => m.content.as_str() })
            .collect();
        let template = self.env.get_template("chat").map_err(render_error)?;
        template
            .render(context! {
                messages => msgs,
                add_generation_prompt => true,
                bos_token => self.bos.as_str(),
                eos_token => self.eos.as_str(),
            })
            .map_err(render_error)
    }
}

fn render_error(e: minijinja::Error) -> ZippError {
    ZippError::Backend {
        status: 0,
        message: format!("the chat template failed: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chat() -> Vec<ChatMessage> {
        vec![
            ChatMessage::new(Role::System, "Be brief."),
            ChatMessage::new(Role::User, "a cat"),
        ]
    }

    #[test]
    fn builtin_chatml_opens_the_assistant_turn() {
        let t = ChatTemplate::new(None, "qwen2", false, "", "<|im_end|>").unwrap();
        assert_eq!(
            t.render(&chat()).unwrap(),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\na cat<|im_end|>\n<|im_start|>assistant\n"
        );
        assert_eq!(t.source(), TemplateSource::Builtin("chatml"));
    }

    #[test]
    fn builtin_gemma_folds_the_system_text_into_the_first_user_turn() {
        let t = ChatTemplate::new(None, "gemma3", true, "<bos>", "<eos>").unwrap();
        assert_eq!(
            t.render(&chat()).unwrap(),
            "<bos><start_of_turn>user\nBe brief.\n\na cat<end_of_turn>\n<start_of_turn>model\n"
        );
    }

    #[test]
    fn model_templates_get_python_string_methods_and_raise_exception() {
        let src = "{% if messages[0].role != 'system' %}{{ raise_exception('no system') }}{% endif %}{{ messages[0].content.strip().upper() }}";
        let t = ChatTemplate::new(Some(src), "qwen2", false, "", "").unwrap();
        assert_eq!(t.render(&chat()).unwrap(), "BE BRIEF.");
        let err = t.render(&chat()[1..]).unwrap_err().to_string();
        assert!(err.contains("no system"), "{err}");
    }

    #[test]
    fn a_broken_template_is_a_config_error() {
        let err = ChatTemplate::new(Some("{% for %}"), "qwen2", false, "", "").unwrap_err();
        assert!(err.to_string().contains("chat template"), "{err}");
    }
}
