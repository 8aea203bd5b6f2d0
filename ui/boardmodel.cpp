#include "boardmodel.h"

#include <QtCore/QLocale>

namespace SilentAuth::Ui {

void BoardModel::setPosts(const QList<Post> &posts)
{
    beginResetModel();
    m_posts = posts;
    endResetModel();
}

void BoardModel::upsert(const Post &post)
{
    const int row = rowOf(post.id);
    if (row >= 0) {
        m_posts[row] = post;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
    beginInsertRows({}, 0, 0); // newest first, like the server
    m_posts.prepend(post);
    endInsertRows();
}

void BoardModel::remove(qint64 id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_posts.removeAt(row);
    endRemoveRows();
}

const Post *BoardModel::post(int row) const
{
    return row >= 0 && row < m_posts.size() ? &m_posts[row] : nullptr;
}

int BoardModel::rowOf(qint64 id) const
{
    for (int i = 0; i < m_posts.size(); ++i) {
        if (m_posts[i].id == id)
            return i;
    }
    return -1;
}

int BoardModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_posts.size());
}

int BoardModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant BoardModel::data(const QModelIndex &index, int role) const
{
    const Post *p = post(index.row());
    if (!p)
        return {};
    if (role == IdRole)
        return p->id;
    if (role == Qt::ToolTipRole)
        return p->body.left(500);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Title:
        return p->title;
    case Author:
        return p->author;
    case Updated:
        return QLocale().toString(p->updatedAt.toLocalTime(), QLocale::ShortFormat);
    default:
        return {};
    }
}

QVariant BoardModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Title:
        return tr("Title");
    case Author:
        return tr("Author");
    case Updated:
        return tr("Last change");
    default:
        return {};
    }
}

} // namespace SilentAuth::Ui
