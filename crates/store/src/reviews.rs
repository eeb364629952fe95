//! Reviews and their members.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, Set};

use crate::StoreError;
use crate::entity::{members, reviews, users};

pub type Review = reviews::Model;

/// The three roles a member can hold in a review.
pub const ROLES: [&str; 3] = ["lead", "reviewer", "viewer"];

pub async fn create(db: &impl ConnectionTrait, slug: &str, title: &str, created_by: Option<i32>, now: i64) -> Result<Review, StoreError> {
    if by_slug(db, slug).await?.is_some() {
        return Err(StoreError::Conflict(format!("a review with the short name {slug} already exists")));
    }
    let row = reviews::ActiveModel {
        slug: Set(slug.to_owned()),
        title: Set(title.to_owned()),
        question: Set(String::new()),
        archived: Set(false),
        created_by: Set(created_by),
        created_at: Set(now),
        ..Default::default()
    };
    Ok(row.insert(db).await?)
}

pub async fn by_slug(db: &impl ConnectionTrait, slug: &str) -> Result<Option<Review>, StoreError> {
    Ok(reviews::Entity::find().filter(reviews::Column::Slug.eq(slug)).one(db).await?)
}

/// Finds a review by its short name or, when `key` is a number, by its id.
pub async fn find(db: &impl ConnectionTrait, key: &str) -> Result<Option<Review>, StoreError> {
    if let Some(r) = by_slug(db, key).await? {
        return Ok(Some(r));
    }
    match key.parse::<i32>() {
        Ok(id) => Ok(reviews::Entity::find_by_id(id).one(db).await?),
        Err(_) => Ok(None),
    }
}

/// Finds a review by short name (or id) together with the roles `user_id` holds in it, in one query
/// for the common case of a short name: every review route asks this.
pub async fn find_with_roles(db: &impl ConnectionTrait, key: &str, user_id: i32) -> Result<Option<(Review, Vec<String>)>, StoreError> {
    let b = db.get_database_backend();
    let select = "SELECT r.*, m.role AS member_role FROM reviews r LEFT JOIN members m ON m.review_id = r.id AND m.user_id = $2";
    let mut rows =
        db.query_all_raw(crate::screening::stmt(b, &format!("{select} WHERE r.slug = $1"), vec![key.into(), user_id.into()])).await?;
    if rows.is_empty()
        && let Ok(id) = key.parse::<i32>()
    {
        rows = db.query_all_raw(crate::screening::stmt(b, &format!("{select} WHERE r.id = $1"), vec![id.into(), user_id.into()])).await?;
    }
    let Some(first) = rows.first() else { return Ok(None) };
    let review = reviews::Model::from_query_result(first, "")?;
    let roles: Vec<String> = rows.iter().filter_map(|r| r.try_get::<Option<String>>("", "member_role").ok().flatten()).collect();
    Ok(Some((review, roles)))
}

/// What a review route needs to know about its caller, read with the session in one query.
#[derive(Clone, Debug, Default)]
pub struct Access {
    /// The review with the caller's roles in it (none when not a member); `None` when there is no such
    /// review.
    pub review: Option<(Review, Vec<String>)>,
    /// The settings of the stage asked for (defaults when never saved); `None` when none was asked for
    /// or there is no such review.
    pub stage: Option<crate::screening::Settings>,
    /// With `stage`, the full-text stage's settings (what a title/abstract inclusion opens).
    pub full_text: Option<crate::screening::Settings>,
}

/// The account behind a live session, with [`Access`] to the review named by `key` (its short name, or
/// its id when no review has that short name) and, when `stage` is given, that stage's settings: one
/// query. `None` when the session is not live.
pub async fn access(
    db: &impl ConnectionTrait,
    session_id: &str,
    now: i64,
    key: &str,
    stage: Option<&str>,
) -> Result<Option<(users::Model, Access)>, StoreError> {
    let sql = access_sql("", "");
    let rows =
        db.query_all_raw(crate::screening::stmt(db.get_database_backend(), &sql, access_values(session_id, now, key, stage))).await?;
    read_access(&rows, stage.is_some())
}

/// The query behind [`access`], with more columns and joins for callers that read more in the same
/// query. Parameters: 1 session, 2 now, 3 review key, 4 the key as an id, 5 stage; the tables are
/// `u` (users), `r` (reviews), `m` (members), `st` (the stage's settings) and `sf` (the full-text
/// stage's).
pub(crate) fn access_sql(more_columns: &str, more_joins: &str) -> String {
    use crate::entity::stage_settings;
    use crate::screening::columns;
    format!(
        "SELECT {}, {}, m.role AS member_role, {}, {}{more_columns} FROM sessions s JOIN users u ON u.id = s.user_id \
         LEFT JOIN reviews r ON r.id = {} \
         LEFT JOIN members m ON m.review_id = r.id AND m.user_id = u.id \
         LEFT JOIN stage_settings st ON st.review_id = r.id AND st.stage = $5 \
         LEFT JOIN stage_settings sf ON sf.review_id = r.id AND sf.stage = 'full_text' AND $5 IS NOT NULL{more_joins} \
         WHERE {}",
        columns::<users::Entity>("u", "u_"),
        columns::<reviews::Entity>("r", "r_"),
        columns::<stage_settings::Entity>("st", "st_"),
        columns::<stage_settings::Entity>("sf", "sf_"),
        review_named("$3", "$4"),
        live_session("s", "$1", "$2"),
    )
}

/// The id of the review a key names: its short name (`key`), else the key as an id (`key_id`).
fn review_named(key: &str, key_id: &str) -> String {
    format!("COALESCE((SELECT x.id FROM reviews x WHERE x.slug = {key}), {key_id})")
}

/// The condition that session `s` (with this id) has not been revoked and has not run out at `now`.
fn live_session(s: &str, id: &str, now: &str) -> String {
    format!("{s}.id = {id} AND {s}.revoked_at IS NULL AND {s}.expires_at > {now}")
}

/// What [`access`] found for a caller, to be checked again inside a later write that relies on it
/// instead of reading it again ([`access_gate_sql`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessGate {
    pub session_id: String,
    /// The session's account.
    pub user_id: i32,
    /// When the write happens (the session must not have run out by then).
    pub now: i64,
    /// The review key as the request gave it, and the review it named.
    pub key: String,
    pub review_id: i32,
    /// The account's roles in the review, as read.
    pub roles: Vec<String>,
}

/// A condition (parameters added to `p`) true only while what the gate records still stands: the
/// session is live and its account enabled, the key names the same review, and the account's roles in
/// it are exactly the ones read. With no roles it is false: access without a role is never relied on.
pub(crate) fn access_gate_sql(p: &mut crate::screening::Params, g: &AccessGate) -> String {
    if g.roles.is_empty() {
        return "1 = 0".to_owned();
    }
    let (session, now, user, review) = (p.add(g.session_id.clone()), p.add(g.now), p.add(g.user_id), p.add(g.review_id));
    let (key, key_id, enabled) = (p.add(g.key.clone()), p.add(g.key.parse::<i32>().ok()), p.add(false));
    let roles: Vec<String> = g.roles.iter().map(|r| p.add(r.clone())).collect();
    let n = p.add(i64::try_from(g.roles.len()).unwrap_or(i64::MAX));
    let gate = GateSql { session: &session, now: &now, user: &user, review: &review, key: &key, key_id: &key_id, enabled: &enabled, n: &n };
    gate.condition(&format!("gm.role NOT IN ({})", roles.join(", ")))
}

/// The expressions an access gate's condition compares with (placeholders, or a batch row's columns).
pub(crate) struct GateSql<'a> {
    pub session: &'a str,
    pub now: &'a str,
    pub user: &'a str,
    pub review: &'a str,
    pub key: &'a str,
    pub key_id: &'a str,
    /// `false` as the backend writes it (the account's `disabled` must equal it).
    pub enabled: &'a str,
    /// How many roles were read.
    pub n: &'a str,
}

impl GateSql<'_> {
    /// The condition of [`access_gate_sql`]; `other_role` is true of a member row `gm` whose role is not
    /// among those read.
    pub(crate) fn condition(&self, other_role: &str) -> String {
        let GateSql { session, now, user, review, key, key_id, enabled, n } = self;
        format!(
            "EXISTS (SELECT 1 FROM sessions gs JOIN users gu ON gu.id = gs.user_id WHERE {} AND gu.id = {user} AND gu.disabled = {enabled}) \
             AND {} = {review} \
             AND (SELECT COUNT(*) FROM members gm WHERE gm.review_id = {review} AND gm.user_id = {user}) = {n} \
             AND NOT EXISTS (SELECT 1 FROM members gm WHERE gm.review_id = {review} AND gm.user_id = {user} AND {other_role})",
            live_session("gs", session, now),
            review_named(key, key_id),
        )
    }
}

pub(crate) fn access_values(session_id: &str, now: i64, key: &str, stage: Option<&str>) -> Vec<sea_orm::Value> {
    vec![session_id.into(), now.into(), key.into(), key.parse::<i32>().ok().into(), stage.map(str::to_owned).into()]
}

/// Reads what [`access_sql`] selected (one row per role, or more when the caller joined more).
pub(crate) fn read_access(rows: &[sea_orm::QueryResult], stage_asked: bool) -> Result<Option<(users::Model, Access)>, StoreError> {
    use crate::entity::stage_settings;
    let Some(first) = rows.first() else { return Ok(None) };
    let user = users::Model::from_query_result(first, "u_")?;
    if first.try_get::<Option<i32>>("r_", "id")?.is_none() {
        return Ok(Some((user, Access::default())));
    }
    let review = reviews::Model::from_query_result(first, "r_")?;
    let mut roles: Vec<String> = Vec::new();
    for row in rows {
        if let Some(role) = row.try_get::<Option<String>>("", "member_role")?
            && !roles.contains(&role)
        {
            roles.push(role);
        }
    }
    let settings = |prefix: &str| -> Result<Option<crate::screening::Settings>, StoreError> {
        Ok(match stage_asked {
            false => None,
            true if first.try_get::<Option<i32>>(prefix, "review_id")?.is_some() => {
                Some(crate::screening::settings_from(stage_settings::Model::from_query_result(first, prefix)?))
            }
            true => Some(crate::screening::Settings::default()),
        })
    };
    Ok(Some((user, Access { review: Some((review, roles)), stage: settings("st_")?, full_text: settings("sf_")? })))
}

pub async fn update(
    db: &impl ConnectionTrait,
    id: i32,
    title: Option<&str>,
    question: Option<&str>,
    archived: Option<bool>,
) -> Result<Review, StoreError> {
    let row = reviews::Entity::find_by_id(id).one(db).await?.ok_or(StoreError::NotFound)?;
    let mut active: reviews::ActiveModel = row.into();
    if let Some(t) = title {
        active.title = Set(t.to_owned());
    }
    if let Some(q) = question {
        active.question = Set(q.to_owned());
    }
    if let Some(a) = archived {
        active.archived = Set(a);
    }
    Ok(active.update(db).await?)
}

/// Every review the user is a member of, with the user's roles in it, oldest first.
pub async fn for_user(db: &impl ConnectionTrait, user_id: i32) -> Result<Vec<(Review, Vec<String>)>, StoreError> {
    let memberships = members::Entity::find().filter(members::Column::UserId.eq(user_id)).all(db).await?;
    let mut ids: Vec<i32> = memberships.iter().map(|m| m.review_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let rows = reviews::Entity::find().filter(reviews::Column::Id.is_in(ids)).order_by_asc(reviews::Column::Id).all(db).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let roles = memberships.iter().filter(|m| m.review_id == r.id).map(|m| m.role.clone()).collect();
            (r, roles)
        })
        .collect())
}

/// Gives a user a role in a review; adding a role twice is harmless.
pub async fn add_member(db: &impl ConnectionTrait, review_id: i32, user_id: i32, role: &str, now: i64) -> Result<(), StoreError> {
    if !ROLES.contains(&role) {
        return Err(StoreError::Conflict(format!("{role} is not a role; use lead, reviewer or viewer")));
    }
    let row = members::ActiveModel { review_id: Set(review_id), user_id: Set(user_id), role: Set(role.to_owned()), added_at: Set(now) };
    members::Entity::insert(row)
        .on_conflict_do_nothing_on([members::Column::ReviewId, members::Column::UserId, members::Column::Role])
        .exec(db)
        .await?;
    Ok(())
}

pub async fn remove_member(db: &impl ConnectionTrait, review_id: i32, user_id: i32, role: &str) -> Result<bool, StoreError> {
    let res = members::Entity::delete_many()
        .filter(members::Column::ReviewId.eq(review_id))
        .filter(members::Column::UserId.eq(user_id))
        .filter(members::Column::Role.eq(role))
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}

/// The roles `user_id` holds in `review_id` (empty for a non-member).
pub async fn roles(db: &impl ConnectionTrait, review_id: i32, user_id: i32) -> Result<Vec<String>, StoreError> {
    Ok(members::Entity::find()
        .filter(members::Column::ReviewId.eq(review_id))
        .filter(members::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.role)
        .collect())
}

/// Members with their roles, ordered by user id.
pub async fn members(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<(users::Model, Vec<String>)>, StoreError> {
    let rows =
        members::Entity::find().filter(members::Column::ReviewId.eq(review_id)).order_by_asc(members::Column::UserId).all(db).await?;
    let mut ids: Vec<i32> = rows.iter().map(|m| m.user_id).collect();
    ids.dedup();
    let people = users::Entity::find().filter(users::Column::Id.is_in(ids)).order_by_asc(users::Column::Id).all(db).await?;
    Ok(people
        .into_iter()
        .map(|u| {
            let roles = rows.iter().filter(|m| m.user_id == u.id).map(|m| m.role.clone()).collect();
            (u, roles)
        })
        .collect())
}

/// Records the previous version's included studies and reports (updated reviews), or clears them.
pub async fn set_previous(db: &impl ConnectionTrait, id: i32, studies: Option<i32>, reports: Option<i32>) -> Result<Review, StoreError> {
    let row = reviews::Entity::find_by_id(id).one(db).await?.ok_or(StoreError::NotFound)?;
    let mut active: reviews::ActiveModel = row.into();
    active.previous_studies = Set(studies);
    active.previous_reports = Set(reports);
    Ok(active.update(db).await?)
}

pub async fn by_id(db: &impl ConnectionTrait, id: i32) -> Result<Option<Review>, StoreError> {
    Ok(reviews::Entity::find_by_id(id).one(db).await?)
}

pub type Invitation = crate::entity::invitations::Model;

pub async fn create_invitation(
    db: &impl ConnectionTrait,
    review_id: i32,
    email: &str,
    role: &str,
    token_hash: &str,
    created_by: i32,
    now: i64,
    expires_at: i64,
) -> Result<Invitation, StoreError> {
    use crate::entity::invitations;
    Ok(invitations::ActiveModel {
        review_id: Set(review_id),
        email: Set(email.to_owned()),
        role: Set(role.to_owned()),
        token_hash: Set(token_hash.to_owned()),
        created_by: Set(created_by),
        created_at: Set(now),
        expires_at: Set(expires_at),
        accepted_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// An invitation that is not accepted and has not expired at `now`.
pub async fn open_invitation(db: &impl ConnectionTrait, token_hash: &str, now: i64) -> Result<Option<Invitation>, StoreError> {
    use crate::entity::invitations;
    Ok(invitations::Entity::find()
        .filter(invitations::Column::TokenHash.eq(token_hash))
        .filter(invitations::Column::AcceptedAt.is_null())
        .filter(invitations::Column::ExpiresAt.gt(now))
        .one(db)
        .await?)
}

pub async fn accept_invitation(db: &impl ConnectionTrait, id: i32, now: i64) -> Result<(), StoreError> {
    use crate::entity::invitations;
    let row = invitations::Entity::find_by_id(id).one(db).await?.ok_or(StoreError::NotFound)?;
    let mut active: invitations::ActiveModel = row.into();
    active.accepted_at = Set(Some(now));
    active.update(db).await?;
    Ok(())
}
