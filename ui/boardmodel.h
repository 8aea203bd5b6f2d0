#pragma once

#include <backendclient.h>

#include <QtCore/QAbstractTableModel>

namespace SilentAuth::Ui {

// The board's posts for a table view: title, author, last change.
class BoardModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Title, Author, Updated, ColumnCount };
    enum Role { IdRole = Qt::UserRole + 1 };

    using QAbstractTableModel::QAbstractTableModel;

    void setPosts(const QList<Post> &posts);
    void upsert(const Post &post);
    void remove(qint64 id);
    const Post *post(int row) const;
    int rowOf(qint64 id) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<Post> m_posts;
};

} // namespace SilentAuth::Ui
