//! The daily agenda sheet (Agenda Harian): the day's items gathered with the caller's visibility
//! and typeset by Typst from an editable template into a PDF (A4) or a PNG for WhatsApp.
//!
//! The data reach the template as a JSON file (`/data.json`), never as generated markup, so a
//! title such as `#eval("…")` or `*bold*` is printed as written: user text cannot become code.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use sepiion_core::api::SheetFormat;
use sepiion_core::i18n::{self, Lang};
use sepiion_core::model::{AgendaStatus, Attendance, Visibility};
use sepiion_core::sync::Record;
use sepiion_core::time::{self, local_days_range};
use sepiion_core::validation::Msg;
use serde::Serialize;
use tokio::sync::Semaphore;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::config::SheetConfig;
use crate::domain::caller::Caller;
use crate::domain::context::Ctx;
use crate::domain::visibility::visible_record;
use crate::error::{ApiError, ApiResult};
use crate::storage::rows::{load_agenda_range, load_leader, load_leaders, load_representative};

/// The built-in template; `[sheet] template` replaces it.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../assets/sheet/agenda-harian.typ");

/// PNG width that reads well in a WhatsApp chat (A4 is 595.28 pt wide).
pub const PNG_WIDTH_PX: f64 = 1240.0;

/// Public sheets kept ready (per date, leader and format; all dropped when data change).
pub const CACHED_SHEETS: usize = 64;

/// Sheets typeset at once: one, so a burst of requests costs one core, not all of them.
const RENDERING_AT_ONCE: usize = 1;
/// Sheets waiting or being typeset, per [`SheetLane`]; past this a request of that lane is
/// answered 429 at once instead of queueing without end. Each lane has its own budget, so
/// anonymous load never fills the staff's.
const QUEUED_AT_MOST: usize = 8;

/// Pages a PNG holds at most: a PNG is for a WhatsApp chat, and every page costs about 2.2
/// million pixels (8.7 MB while it is drawn). A longer day gets its first pages and a closing
/// strip saying the rest is in the PDF, which has every page.
pub const PNG_MAX_PAGES: usize = 3;

/// Whose sheet is being made: staff sheets have their own queue and go first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetLane {
    /// A signed-in staff member.
    Staff,
    /// Anyone (the public sheet).
    Public,
}

/// The strip closing a PNG cut at [`PNG_MAX_PAGES`]; its text arrives as data like the sheet's.
const PNG_CONTINUED_TEMPLATE: &str = r##"#let d = json("/data.json")
#set page(width: 595.28pt, height: auto, margin: (x: 1.5cm, y: 0.5cm), fill: rgb("#fff4d6"))
#set text(font: "Libertinus Serif", lang: "id", size: 11pt)
#text(weight: "bold", d.heading) \
#d.text
"##;

/// One row of the table.
#[derive(Debug, Serialize)]
pub struct SheetRow {
    pub no: String,
    /// "09.00–10.30".
    pub time: String,
    pub title: String,
    pub location: String,
    pub dress_code: String,
    /// The leader's role from the source request (staff sheet only).
    pub role: String,
    /// "Hadir sendiri", "Diwakili oleh …", "Tidak hadir" (core's words).
    pub attendance: String,
    /// Assigned staff and running order (staff sheet only).
    pub details: Vec<String>,
    /// A confidential item: printed under a RAHASIA mark.
    pub confidential: bool,
    /// Not yet confirmed: printed with "SEMENTARA".
    pub tentative: bool,
    /// Overlaps another item of the same leader: printed with a clash warning.
    pub clash: bool,
}

/// One leader's table.
#[derive(Debug, Serialize)]
pub struct SheetSection {
    pub leader: String,
    pub rows: Vec<SheetRow>,
}

/// Everything the template receives.
#[derive(Debug, Serialize)]
pub struct SheetData {
    pub regency: String,
    pub office: String,
    pub heading: String,
    /// "Senin, 30 November 2026".
    pub date: String,
    pub zone: String,
    pub printed: String,
    pub staff: bool,
    pub has_logo: bool,
    pub empty_text: String,
    pub columns: Vec<String>,
    pub sections: Vec<SheetSection>,
    /// Confidential rows on this sheet (the template prints a RAHASIA banner when not zero).
    pub confidential_count: usize,
    /// The banner's text ("RAHASIA — …"); empty when the sheet has no confidential row.
    pub confidential_text: String,
    /// The marks printed on rows: "RAHASIA", "SEMENTARA", "Bentrok waktu dengan agenda lain".
    pub confidential_mark: String,
    pub tentative_mark: String,
    pub clash_mark: String,
}

impl SheetData {
    pub fn item_count(&self) -> usize {
        self.sections.iter().map(|s| s.rows.len()).sum()
    }
}

/// "Diwakili oleh I Wayan Sudarsana (Sekretaris Daerah)": a representative entered by its id
/// (`sekda`) is printed by name and position, in the catalogue's words.
fn attendance_text(
    tx: &Transaction,
    attendance: Attendance,
    representative: Option<&str>,
) -> rusqlite::Result<String> {
    let named = match representative.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(match load_representative(tx, r)? {
            Some(rep) => format!("{} ({})", rep.name, rep.position),
            None => r.to_string(),
        }),
        None => None,
    };
    Ok(i18n::ID.attendance_with(attendance, named.as_deref()))
}

/// The day's sheet as `caller` may see it: items pass through `visible_record`, so the public
/// sheet has public items with public fields only; cancelled items are left out. With
/// `with_confidential` false, confidential items are left out too (a sheet to share in a group).
#[allow(clippy::too_many_arguments)]
pub fn load_day(
    tx: &Transaction,
    ctx: &Ctx,
    caller: &Caller,
    leader: Option<&str>,
    date: NaiveDate,
    now: DateTime<Utc>,
    has_logo: bool,
    with_confidential: bool,
) -> ApiResult<SheetData> {
    let staff = matches!(caller, Caller::Staff(_));
    let leaders = match leader {
        Some(id) => vec![load_leader(tx, id)?.ok_or_else(|| {
            ApiError::bad_query("leader", sepiion_core::validation::unknown_leader())
        })?],
        None => load_leaders(tx)?,
    };
    let (from, to) = local_days_range(date, date, ctx.tz);
    let mut role_of = tx.prepare_cached("SELECT leader_role FROM requests WHERE id = ?1")?;
    let mut sections = Vec::new();
    for l in leaders {
        let mut rows = Vec::new();
        let mut spans = Vec::new();
        for item in load_agenda_range(tx, Some(&l.id), from, to)? {
            let Some(Record::AgendaItem(item)) =
                visible_record(tx, caller, Record::AgendaItem(Box::new(item)))?
            else {
                continue;
            };
            if item.status == AgendaStatus::Cancelled
                || (!with_confidential && item.visibility == Visibility::Confidential)
            {
                continue;
            }
            let mut role = String::new();
            let mut details = Vec::new();
            if staff && let Some(internal) = &item.internal {
                if let Some(source) = internal.source_request_id.as_deref()
                    && let Some(r) = role_of
                        .query_row(params![source], |r| r.get::<_, String>(0))
                        .optional()?
                {
                    role = r.trim().to_string();
                }
                if !internal.assigned_staff.is_empty() {
                    let names: Vec<String> = internal
                        .assigned_staff
                        .iter()
                        .map(|a| match a.duty.trim() {
                            "" => a.name.clone(),
                            duty => format!("{} ({duty})", a.name),
                        })
                        .collect();
                    details.push(format!("Petugas: {}", names.join(", ")));
                }
                if !internal.running_order.trim().is_empty() {
                    details.push(format!("Susunan acara: {}", internal.running_order.trim()));
                }
            }
            spans.push((item.starts_at, item.ends_at));
            rows.push(SheetRow {
                confidential: item.visibility == Visibility::Confidential,
                tentative: item.status == AgendaStatus::Tentative,
                clash: false,
                no: String::new(),
                time: format!(
                    "{}–{}",
                    time::time(item.starts_at, ctx.tz, Lang::Id),
                    time::time(item.ends_at, ctx.tz, Lang::Id)
                ),
                attendance: attendance_text(tx, item.attendance, item.representative.as_deref())?,
                title: item.title,
                location: item.location,
                dress_code: item.dress_code,
                role,
                details,
            });
        }
        for (i, r) in rows.iter_mut().enumerate() {
            r.no = (i + 1).to_string();
            let (s, e) = spans[i];
            r.clash = spans
                .iter()
                .enumerate()
                .any(|(j, (s2, e2))| j != i && s < *e2 && *s2 < e);
        }
        if !rows.is_empty() {
            let leader = if l.name.trim().is_empty() {
                l.title
            } else {
                format!("{} — {}", l.title, l.name)
            };
            sections.push(SheetSection { leader, rows });
        }
    }
    let words = &i18n::ID;
    let field = |name| words.field(name).unwrap_or_default().to_string();
    let mut columns: Vec<String> = ["No", "Waktu", "Kegiatan", "Tempat"]
        .map(String::from)
        .into();
    columns.push(field("dress_code"));
    if staff {
        columns.push(field("leader_role"));
    }
    columns.push("Kehadiran".into());
    let zone = sepiion_core::time::zone_abbrev(ctx.tz);
    let confidential_count = sections
        .iter()
        .flat_map(|s: &SheetSection| &s.rows)
        .filter(|r| r.confidential)
        .count();
    Ok(SheetData {
        confidential_count,
        confidential_text: if confidential_count > 0 {
            format!(
                "RAHASIA — lembar ini memuat {confidential_count} agenda rahasia. Jangan dibagikan \
                 ke grup; unduh lembar tanpa agenda rahasia untuk dibagikan."
            )
        } else {
            String::new()
        },
        confidential_mark: "RAHASIA".into(),
        tentative_mark: "SEMENTARA (belum pasti)".into(),
        clash_mark: "Bentrok waktu dengan agenda lain".into(),
        regency: ctx.regency_name(tx)?,
        office: ctx.office.name.clone(),
        heading: if staff {
            "Agenda Harian Pimpinan (Internal)".into()
        } else {
            "Agenda Harian Pimpinan".into()
        },
        date: time::date(date, Lang::Id),
        printed: format!("Dicetak {}", time::datetime(now, ctx.tz, Lang::Id)),
        zone,
        staff,
        has_logo,
        empty_text: "Tidak ada agenda pada hari ini.".into(),
        columns,
        sections,
    })
}

/// Fonts, template and logo, loaded once at start.
pub struct SheetEngine {
    template: String,
    logo: Option<Bytes>,
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    /// Typst's memo caches are global; one render at a time keeps memory and CPU bounded.
    rendering: Arc<Semaphore>,
    /// Admission per lane: requests waiting for or holding `rendering`.
    staff_queued: Arc<Semaphore>,
    public_queued: Arc<Semaphore>,
    /// Public sheets pass here one at a time before they wait for `rendering`, so at most one
    /// public sheet is ever ahead of a staff sheet in `rendering`'s (first come, first served)
    /// queue: staff wait at most for the sheet being typeset and one public sheet, never for
    /// the anonymous queue.
    public_turn: Arc<Semaphore>,
}

impl std::fmt::Debug for SheetEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SheetEngine")
            .field("template_bytes", &self.template.len())
            .field("logo", &self.logo.is_some())
            .field("fonts", &self.fonts.len())
            .finish()
    }
}

impl SheetEngine {
    pub fn from_config(config: &SheetConfig) -> anyhow::Result<SheetEngine> {
        let template = match &config.template {
            Some(path) => std::fs::read_to_string(path).map_err(|e| {
                anyhow::anyhow!("cannot read sheet template {}: {e}", path.display())
            })?,
            None => DEFAULT_TEMPLATE.to_string(),
        };
        let logo = match &config.logo {
            Some(path) => Some(Bytes::new(std::fs::read(path).map_err(|e| {
                anyhow::anyhow!("cannot read sheet logo {}: {e}", path.display())
            })?)),
            None => None,
        };
        let fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        Ok(SheetEngine {
            template,
            logo,
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            rendering: Arc::new(Semaphore::new(RENDERING_AT_ONCE)),
            staff_queued: Arc::new(Semaphore::new(QUEUED_AT_MOST)),
            public_queued: Arc::new(Semaphore::new(QUEUED_AT_MOST)),
            public_turn: Arc::new(Semaphore::new(1)),
        })
    }

    pub fn has_logo(&self) -> bool {
        self.logo.is_some()
    }

    /// Typesets `data` on a blocking thread, one sheet at a time, staff sheets first; 429 when
    /// too many of `lane` wait.
    pub async fn render_bounded(
        self: &Arc<Self>,
        data: SheetData,
        format: SheetFormat,
        lane: SheetLane,
    ) -> ApiResult<Vec<u8>> {
        let queue = match lane {
            SheetLane::Staff => &self.staff_queued,
            SheetLane::Public => &self.public_queued,
        };
        let queued = queue.clone().try_acquire_owned().map_err(|_| ApiError {
            retry_after: Some(5),
            ..ApiError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                "busy",
                Msg::new(
                    "Server sedang membuat banyak lembar agenda. Coba lagi sebentar lagi.",
                    "The server is making many agenda sheets. Try again shortly.",
                ),
            )
        })?;
        let turn = match lane {
            SheetLane::Staff => None,
            SheetLane::Public => Some(
                self.public_turn
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(ApiError::internal)?,
            ),
        };
        let rendering = self
            .rendering
            .clone()
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        let engine = self.clone();
        // The permits move into the blocking task: a caller that goes away does not free a
        // slot while its sheet is still being typeset.
        tokio::task::spawn_blocking(move || {
            let out = engine.render(&data, format);
            drop((rendering, turn, queued));
            out
        })
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::internal(format!("agenda sheet template: {e}")))
    }

    /// Typesets `data`; an error names the template's problem (for the log).
    pub fn render(&self, data: &SheetData, format: SheetFormat) -> Result<Vec<u8>, String> {
        let document = self.compile(&self.template, data)?;
        let out = match format {
            SheetFormat::Pdf => typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
                .map_err(|errors| {
                    errors
                        .iter()
                        .map(|e| e.message.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                })?,
            SheetFormat::Png => {
                let document = self.cut_for_png(document)?;
                let width_pt = document
                    .pages()
                    .first()
                    .map(|p| p.frame.width().to_pt())
                    .unwrap_or(595.28);
                let opts = typst_render::RenderOptions {
                    pixel_per_pt: typst::utils::Scalar::new(PNG_WIDTH_PX / width_pt),
                    render_bleed: false,
                };
                let pixmap = typst_render::render_merged(
                    &document,
                    &opts,
                    typst::layout::Abs::pt(12.0),
                    Some(typst::visualize::Color::from_u8(200, 200, 200, 255)),
                );
                pixmap.encode_png().map_err(|e| e.to_string())?
            }
        };
        // Drop memoized results of older renders so memory stays flat on a long-running server.
        typst::comemo::evict(10);
        Ok(out)
    }

    /// Lays out `source` over `data` (the JSON file `/data.json`).
    fn compile(&self, source: &str, data: &impl Serialize) -> Result<PagedDocument, String> {
        let json = serde_json::to_vec(data).map_err(|e| e.to_string())?;
        let world = SheetWorld {
            engine: self,
            source,
            main: file_id("/main.typ"),
            data_id: file_id("/data.json"),
            logo_id: file_id("/logo"),
            data: Bytes::new(json),
        };
        typst::compile(&world).output.map_err(|errors| {
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// `document` as a PNG may hold it: at most [`PNG_MAX_PAGES`] pages, and when pages were
    /// left out, a closing strip that says so and where the rest is.
    fn cut_for_png(&self, document: PagedDocument) -> Result<PagedDocument, String> {
        let total = document.pages().len();
        if total <= PNG_MAX_PAGES {
            return Ok(document);
        }
        let strip = self.compile(PNG_CONTINUED_TEMPLATE, &png_continued(total))?;
        let pages = document.pages()[..PNG_MAX_PAGES]
            .iter()
            .chain(strip.pages())
            .cloned()
            .collect();
        Ok(PagedDocument::new(
            pages,
            typst::model::DocumentInfo::default(),
        ))
    }
}

/// What the strip closing a cut PNG says.
fn png_continued(total: usize) -> serde_json::Value {
    serde_json::json!({
        "heading": "Lanjut di PDF",
        "text": format!(
            "Gambar ini memuat halaman 1–{PNG_MAX_PAGES} dari {total}. Agenda selengkapnya ada \
             di Agenda Harian versi PDF untuk hari yang sama."
        ),
    })
}

fn file_id(path: &str) -> FileId {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("a valid virtual path"),
    )
    .intern()
}

/// The template's whole world: the template, the data file, the logo and embedded fonts. No
/// other file and no package can be reached.
struct SheetWorld<'a> {
    engine: &'a SheetEngine,
    source: &'a str,
    main: FileId,
    data_id: FileId,
    logo_id: FileId,
    data: Bytes,
}

impl World for SheetWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.engine.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.engine.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(Source::new(id, self.source.to_string()))
        } else {
            Err(FileError::NotFound(PathBuf::from(
                id.get().vpath().get_with_slash().to_string(),
            )))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.logo_id
            && let Some(logo) = &self.engine.logo
        {
            Ok(logo.clone())
        } else {
            Err(FileError::NotFound(PathBuf::from(
                id.get().vpath().get_with_slash().to_string(),
            )))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.engine.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        // The sheet's date comes in the data; the template has no need of the clock.
        None
    }
}
