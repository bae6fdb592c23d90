"""The people, shops and stories of the demo, drawn from the seed articles.

All names, accounts and phone numbers are invented; the wording of the messages follows the
stories so that the demo queue looks like a real night shift.
"""

# The demo's published logins (README, docs/demo.md); production users set their own.
DEMO_PASSWORD = "shouhu-demo-2026"  # nosec B105
# The demo staff's authenticator app: add this secret to one (or run `manage.py demo_code`) to
# get the code the login asks for after the password. Production staff set up their own.
DEMO_TOTP_SECRET = "KRUGKIDTNBXXK2DVEBSGK3LPEBQXA4DT"  # nosec B105

# (code, name, level, parent code)
REGIONS = [
    ("110000", "北京市", 1, None),
    ("110105", "朝阳区", 3, "110000"),
    ("330000", "浙江省", 1, None),
    ("330100", "杭州市", 2, "330000"),
    ("330106", "西湖区", 3, "330100"),
    ("350000", "福建省", 1, None),
    ("350200", "厦门市", 2, "350000"),
    ("370000", "山东省", 1, None),
    ("370200", "青岛市", 2, "370000"),
    ("420000", "湖北省", 1, None),
    ("420100", "武汉市", 2, "420000"),
    ("440000", "广东省", 1, None),
    ("440300", "深圳市", 2, "440000"),
    ("510000", "四川省", 1, None),
    ("510100", "成都市", 2, "510000"),
]

# (name, kind, region code, 24h phone, address)
POLICE_UNITS = [
    ("杭州市公安局西湖区分局", "police", "330106", "0571-5550-0110", "杭州市西湖区"),
    ("杭州市反电信网络诈骗中心", "anti_fraud_centre", "330100", "0571-5550-0096", "杭州市上城区"),
    ("厦门市反诈骗中心", "anti_fraud_centre", "350200", "0592-5550-0096", "厦门市思明区"),
    ("厦门市公安局", "police", "350200", "0592-5550-0110", "厦门市思明区"),
    ("深圳市公安局反电信网络诈骗中心", "anti_fraud_centre", "440300", "0755-5550-0096", "深圳市福田区"),
    ("成都市公安局", "police", "510100", "028-5550-0110", "成都市锦江区"),
    ("武汉市公安局", "police", "420100", "027-5550-0110", "武汉市江岸区"),
    ("青岛市公安局", "police", "370200", "0532-5550-0110", "青岛市市南区"),
    ("北京市公安局朝阳分局", "police", "110105", "010-5550-0110", "北京市朝阳区"),
]

# email, display name, roles, desk of their team (or None), extra
STAFF = [
    ("li@shouhu.demo", "李娜", ["specialist"], "life"),
    ("wugang@shouhu.demo", "武纲", ["specialist"], "life"),
    ("chen@shouhu.demo", "陈晓红", ["specialist"], "fraud"),
    ("wang@shouhu.demo", "王磊", ["supervisor"], "both"),
    ("zhao@shouhu.demo", "赵敏", ["manager"], "both"),
]

# external ref, name, contact, emergency contact, emergency phone, region code
MERCHANTS = [
    ("shop-qinghe", "青禾农资旗舰店", "周店长", "周建国", "138-5550-0001", "370200"),
    ("shop-wotu", "沃土农资专营店", "吴店长", "吴春梅", "139-5550-0002", "510100"),
    ("shop-kangning", "康宁大药房", "孙药师", "孙丽", "137-5550-0003", "420100"),
    ("shop-nuandong", "暖冬生活馆", "钱店长", "钱伟", "136-5550-0004", "330100"),
    ("shop-youpin", "优品数码专营店", "郑店长", "郑凯", "135-5550-0005", "440300"),
]

# merchant ref, email, display name, shop admin?
MERCHANT_STAFF = [
    ("shop-qinghe", "qinghe@shop.demo", "周建国(青禾农资)", True),
    ("shop-wotu", "wotu@shop.demo", "吴春梅(沃土农资)", True),
    ("shop-kangning", "kangning@shop.demo", "孙丽(康宁大药房)", True),
    ("shop-kangning", "kangning-kefu@shop.demo", "小美(康宁大药房客服)", False),
]

# merchant ref, item ref, name, risk category
PRODUCTS = [
    ("shop-qinghe", "qh-001", "草甘膦除草剂 1L 装", "pesticide"),
    ("shop-qinghe", "qh-002", "有机复合肥 20kg", "none"),
    ("shop-wotu", "wt-001", "除草剂 高浓度 500ml", "pesticide"),
    ("shop-kangning", "kn-001", "艾司唑仑片(处方药)", "sedative"),
    ("shop-kangning", "kn-002", "维生素C泡腾片", "none"),
    ("shop-nuandong", "nd-001", "无烟木炭 5kg", "charcoal"),
    ("shop-nuandong", "nd-002", "登山安全绳 10 米", "rope"),
    ("shop-youpin", "yp-001", "蓝牙耳机", "none"),
]

# (account, nickname, phone, street address, region code). Fictional: the numbers are of the
# 1380000xxxx kind, the streets are made up.
BUYERS = [
    ("tb_xiaoyu_mama", "小雨妈妈", "13800002266", "四川省成都市锦江区示范路18号3栋2单元501", "510100"),
    # The same woman's second account, on the same phone: the case page lists it.
    ("tb_yu_0412", "小雨", "13800002266", "", "510100"),
    ("tb_xiaolu_2019", "小鹿", "", "", "420100"),
    ("tb_lin_0915", "林先生", "13800000915", "福建省厦门市思明区样例街66号1802室", "350200"),
    ("tb_zhang_a", "张女士", "13800007701", "浙江省杭州市西湖区示例巷9号4幢301", "330100"),
    ("tb_liu_b", "刘先生", "13800008802", "广东省深圳市福田区演示大道100号7栋1205", "440300"),
    ("tb_he_c", "何女士", "13800009903", "北京市朝阳区虚构北路21号院5号楼603", "110105"),
    ("tb_buyer_hz", "杭州顾客", "13800004404", "浙江省杭州市西湖区模拟路3号", "330100"),
]

LIAISONS = [("xiamen-fzzx@police.demo", "厦门市反诈骗中心 联络员", "厦门市反诈骗中心")]

INTEGRATIONS = [("chat-system@integration.demo", "平台客服消息系统")]
